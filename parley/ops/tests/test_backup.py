"""`parley backup` and `parley restore`: the restored database holds every case, and every
case's audit chain verifies (R9.1, R9.2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from parley.cases.actions import do_create_case
from parley.cases.models import Case
from parley.ops.backup import make_backup, restore_backup, verify_all
from parley.rooms.actions import do_post_entry
from parley.rooms.models import Entry
from parley.testing import Cast, build_case


@pytest.mark.django_db(transaction=True)
def test_r9_2_restore_brings_back_every_entry_and_every_audit_chain_verifies(
    cast: Cast, tmp_path: Path
) -> None:
    media = tmp_path / "media"
    (media / "documents").mkdir(parents=True)
    (media / "documents" / "offer.pdf").write_bytes(b"%PDF-1.7 the offer")
    with override_settings(MEDIA_ROOT=media):
        cast = build_case(cast)
        posted = [
            do_post_entry(
                acting_user=user,
                case_id=cast.case.pk,
                room_id=cast.room(room).pk,
                body=f"entry {n}",
            )
            for n, (user, room) in enumerate(
                [(cast.alice, "caucus_a"), (cast.bob, "joint"), (cast.carol, "counsel_a")]
            )
        ]
        archive = tmp_path / "parley.tar.gz"
        call_command("backup", str(archive))
        assert archive.stat().st_mode & 0o777 == 0o600

        # After the backup: one entry is altered, a case is added, a document is lost.
        Entry.objects.filter(pk=posted[0].pk).update(body="altered")
        do_create_case(acting_user=cast.maya, title="Made after the backup")
        (media / "documents" / "offer.pdf").unlink()

        result = restore_backup(archive)

        assert result.problems == []
        assert result.cases_verified == Case.objects.count() == 1
        assert [e.body for e in Entry.objects.filter(pk__in=[p.pk for p in posted])] == [
            "entry 0",
            "entry 1",
            "entry 2",
        ]
        assert (media / "documents" / "offer.pdf").read_bytes() == b"%PDF-1.7 the offer"
        assert verify_all() == (1, [])
        call_command("audit", "verify", "all")


@pytest.mark.django_db(transaction=True)
def test_a_backup_that_was_tampered_with_is_refused(cast: Cast, tmp_path: Path) -> None:
    import io
    import tarfile

    from parley.ops.backup import BackupError

    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        make_backup(tmp_path / "good.tar.gz")
        bad = tmp_path / "bad.tar.gz"
        with (
            tarfile.open(tmp_path / "good.tar.gz", "r:gz") as src,
            tarfile.open(bad, "w:gz") as dst,
        ):
            for member in src.getmembers():
                data = src.extractfile(member)
                raw = data.read() if data else b""
                if member.name.startswith("database."):
                    raw = raw[:-1] + bytes([raw[-1] ^ 1])
                member.size = len(raw)
                dst.addfile(member, io.BytesIO(raw))
        with pytest.raises(BackupError, match="SHA-256"):
            restore_backup(bad)
