"""R11.3: one key per case, wrapped by the master key; rotation re-wraps without touching the
content; the migration encrypts rows written before encryption; a ciphertext moved to another
row does not open."""

from __future__ import annotations

import base64
import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from pytest_django.fixtures import Settings

from parley.rooms.actions import do_post_entry
from parley.rooms.models import Entry
from parley.testing import ActiveCast
from parley.vault import crypto, keys
from parley.vault.models import CaseKey


def raw_body(entry_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM rooms_entry WHERE id = %s", [entry_id])
        value: str = cursor.fetchone()[0]
    return value


def post(active: ActiveCast, text: str, room: str = "caucus_a") -> Entry:
    return do_post_entry(
        acting_user=active.alice, case_id=active.case.pk, room_id=active.room(room).pk, body=text
    )


def test_r11_3_each_case_has_its_own_key_stored_only_wrapped(active: ActiveCast) -> None:
    row = CaseKey.objects.get(case=active.case)
    data_key = keys.data_key(active.case.pk)
    assert data_key not in bytes(row.wrapped)
    assert crypto.unwrap(keys.master(), active.case.pk, bytes(row.wrapped)) == data_key
    with pytest.raises(Exception):  # noqa: B017  (cryptography's InvalidTag)
        crypto.unwrap(keys.master(), active.case.pk + 1, bytes(row.wrapped))


def test_r11_3_entry_text_is_ciphertext_in_the_column(active: ActiveCast) -> None:
    entry = post(active, "Between us: 9,000")
    stored = raw_body(entry.pk)
    assert stored.startswith("v1:") and "9,000" not in stored
    assert Entry.objects.get(pk=entry.pk).body == "Between us: 9,000"


def test_r11_3_a_ciphertext_moved_to_another_row_does_not_open(active: ActiveCast) -> None:
    secret = post(active, "Alice's secret")
    public = post(active, "Hello all", room="joint")
    Entry.objects.filter(pk=public.pk).update(body=raw_body(secret.pk))
    with pytest.raises(Exception):  # noqa: B017  (InvalidTag: the row's identity differs)
        _ = Entry.objects.get(pk=public.pk).body


def test_r11_3_rotation_rewraps_every_case_key_and_leaves_content_as_it_is(
    active: ActiveCast, settings: Settings, tmp_path: Path
) -> None:
    entry = post(active, "Kept across rotation")
    before = raw_body(entry.pk)
    old_wrapped = bytes(CaseKey.objects.get(case=active.case).wrapped)
    new_file = tmp_path / "new.master-key"

    call_command("keys", "rotate", str(new_file))

    assert new_file.stat().st_mode & 0o777 == 0o600
    new_master = base64.b64decode(new_file.read_text())
    row = CaseKey.objects.get(case=active.case)
    assert bytes(row.wrapped) != old_wrapped and row.master_id == crypto.key_id(new_master)
    assert raw_body(entry.pk) == before  # content not re-encrypted
    settings.PARLEY_MASTER_KEY = new_master
    keys.forget()
    assert Entry.objects.get(pk=entry.pk).body == "Kept across rotation"


def test_r11_3_the_migration_encrypts_rows_written_in_plain_text(active: ActiveCast) -> None:
    entry = post(active, "placeholder")
    # A row as it was before encryption at rest: plain text in the column.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE rooms_entry SET body = %s WHERE id = %s", ["Written long ago", entry.pk]
        )
    migration = importlib.import_module("parley.vault.migrations.0002_encrypt_existing_content")
    migration.encrypt_existing(apps, None)
    stored = raw_body(entry.pk)
    assert stored.startswith("v1:") and "long ago" not in stored
    keys.forget()
    assert Entry.objects.get(pk=entry.pk).body == "Written long ago"
