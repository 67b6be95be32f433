"""R11.3: a copy of the database, the document store or a backup reveals no content.

A unique marker goes into every kind of content (entry texts in every room, the notebook, a
document's file, an offer's note and sum, ratings, a sealed bid, the settlement text, the
termination statement, a stored export); then the raw database (the SQLite file, or `pg_dump`
on PostgreSQL), every file in the document store and a `parley backup` archive are searched
for them: none is found. The same markers are read back through the pages and the API by the
people entitled to them."""

from __future__ import annotations

import gzip
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings

from parley.negotiation.models import SealedBid
from parley.negotiation.tests.helpers import base, side_ids
from parley.testing import ActiveCast, Api, Cast, build_case

MARK = {
    "joint": "MKJOINT7d1e",
    "caucus": "MKCAUCUS2a9f",
    "counsel": "MKCOUNSEL5c3b",
    "notebook": "MKNOTEBOOK8e4d",
    "document": "MKDOCFILE1f6a",
    "offer_note": "MKOFFERNOTE9b2c",
    "settlement": "MKSETTLE4d7e",
    "statement": "MKSTATEMENT6a8b",
}
OFFER_SUM = "7314159.27"
BID_SUM = "8765432.11"
RATINGS_KEY = '"points"'


def markers() -> list[bytes]:
    found = [m.encode() for m in MARK.values()]
    return [*found, OFFER_SUM.encode(), BID_SUM.encode(), RATINGS_KEY.encode()]


def write_everything(cast: ActiveCast) -> dict[str, Any]:
    case = cast.case.pk

    def post(user: Any, room: str, text: str) -> None:
        status, body = Api(user).post(
            f"/cases/{case}/rooms/{cast.room(room).pk}/entries", {"body": text}
        )
        assert status == 201, body

    post(cast.alice, "joint", f"In the open: {MARK['joint']}")
    post(cast.alice, "caucus_a", f"Between us: {MARK['caucus']}")
    post(cast.carol, "counsel_a", f"Counsel only: {MARK['counsel']}")
    post(cast.maya, "notebook", f"My note: {MARK['notebook']}")

    client = Client()
    client.force_login(cast.alice)
    upload = SimpleUploadedFile(
        "quote.txt", f"The quote: {MARK['document']}".encode(), content_type="text/plain"
    )
    response = client.post(
        f"/api/v1/cases/{case}/documents",
        {"room": cast.room("caucus_a").pk, "provenance": "prepared", "file": upload},
    )
    assert response.status_code == 201, response.content
    document_id = response.json()["document"]["id"]

    alice_side, bob_side = side_ids(cast)
    status, offer = Api(cast.bob).post(
        f"{base(cast)}/offers",
        {
            "room": cast.room("joint").pk,
            "kind": "sum",
            "amount": OFFER_SUM,
            "payer": bob_side,
            "payee": alice_side,
            "note": MARK["offer_note"],
        },
    )
    assert status == 201, offer
    assert Api(cast.alice).post(f"{base(cast)}/offers/{offer['id']}/accept")[0] == 200

    items = {"kind": "items", "issues": [{"title": "Car"}, {"title": "Boat"}]}
    assert Api(cast.maya).put(f"{base(cast)}/issues", items)[0] == 200
    status, body = Api(cast.alice).put(f"{base(cast)}/ratings", {"points": [73, 27]})
    assert status == 200, body

    status, body = Api(cast.maya).post(
        f"{base(cast)}/bidding", {"payer": bob_side, "claimant": alice_side}
    )
    assert status == 201, body
    assert Api(cast.alice).post(f"{base(cast)}/bidding/bids", {"amount": BID_SUM})[0] == 201
    assert SealedBid.objects.exclude(sealed="").exists()  # undecided: the figure is stored

    assert Api(cast.maya).post(f"{base(cast)}/settlement", {"offer": offer["id"]})[0] == 201
    status, body = Api(cast.maya).put(
        f"{base(cast)}/settlement", {"text": f"Bob pays Alice. {MARK['settlement']}"}
    )
    assert status == 200, body

    status, job = Api(cast.alice).post(f"/cases/{case}/exports")
    assert status == 202, job
    assert Api(cast.alice).get(f"/exports/{job['id']}")[1]["status"] == "ready"

    status, body = Api(cast.alice).post(
        f"/cases/{case}/terminate", {"statement": f"I stop here. {MARK['statement']}"}
    )
    assert status == 200, body
    return {"document_id": document_id, "offer_id": offer["id"], "export_id": job["id"]}


def raw_database(tmp_path: Path) -> bytes:
    if connection.vendor == "sqlite":
        # The database as a file, page for page (SQLite's online backup of this connection).
        copy = tmp_path / "copy.sqlite3"
        target = sqlite3.connect(copy)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        return copy.read_bytes()
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    done = subprocess.run(
        [
            "pg_dump",
            "--no-owner",
            "-h",
            str(db.get("HOST") or "127.0.0.1"),
            "-p",
            str(db.get("PORT") or 5432),
            "-U",
            str(db.get("USER") or "postgres"),
            str(db["NAME"]),
        ],
        env=env,
        capture_output=True,
        check=True,
        timeout=120,
    )
    return done.stdout


def found_in(blob: bytes) -> list[str]:
    return [m.decode() for m in markers() if m in blob]


@pytest.mark.django_db(transaction=True)
def test_r11_3_no_copy_of_the_data_reveals_any_content(cast: Cast, tmp_path: Path) -> None:
    media = tmp_path / "documents"
    media.mkdir()
    with override_settings(MEDIA_ROOT=media, PARLEY_DATA_DIR=tmp_path):
        cast = build_case(cast)
        ids = write_everything(cast)
        case = cast.case.pk

        # The raw database.
        assert found_in(raw_database(tmp_path)) == []
        # Every file in the document store (documents and the stored export).
        stored = [p for p in media.rglob("*") if p.is_file()]
        assert len(stored) >= 2
        for path in stored:
            assert found_in(path.read_bytes()) == [], path
        # A backup archive, every member decompressed.
        archive = tmp_path / "backup.tar.gz"
        call_command("backup", str(archive))
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                handle = tar.extractfile(member)
                if handle is not None:
                    data = handle.read()
                    assert found_in(data) == [], member.name
        assert found_in(gzip.decompress(archive.read_bytes())) == []

        # The same content, read by the people entitled to it.
        def page(user: Any, path: str) -> str:
            client = Client()
            client.force_login(user)
            response = client.get(path)
            assert response.status_code == 200, path
            return response.content.decode()

        rooms = f"/cases/{case}/rooms"
        assert MARK["joint"] in page(cast.bob, f"{rooms}/{cast.room('joint').pk}/")
        assert MARK["statement"] in page(cast.maya, f"{rooms}/{cast.room('caucus_a').pk}/")
        assert MARK["caucus"] in page(cast.maya, f"{rooms}/{cast.room('caucus_a').pk}/")
        assert MARK["counsel"] in page(cast.carol, f"{rooms}/{cast.room('counsel_a').pk}/")
        assert MARK["notebook"] in page(cast.maya, f"{rooms}/{cast.room('notebook').pk}/")
        client = Client()
        client.force_login(cast.maya)
        download = client.get(f"/cases/{case}/documents/{ids['document_id']}/download/")
        assert MARK["document"].encode() in b"".join(download.streaming_content)  # type: ignore[attr-defined]
        _, offer = Api(cast.alice).get(f"{base(cast)}/offers/{ids['offer_id']}")
        assert offer["amount"].replace(",", "") == OFFER_SUM
        _, entry = Api(cast.alice).get(f"/cases/{case}/entries/{offer['entry']}")
        assert MARK["offer_note"] in entry["body"]
        _, ratings = Api(cast.alice).get(f"{base(cast)}/ratings")
        assert ratings[0]["points"] == [73, 27]
        _, settlement = Api(cast.bob).get(f"{base(cast)}/settlement")
        assert MARK["settlement"] in settlement["text"]
        export = Client()
        export.force_login(cast.alice)
        got = export.get(f"/api/v1/exports/{ids['export_id']}/download")
        assert MARK["caucus"].encode() in b"".join(got.streaming_content)  # type: ignore[attr-defined]
        # And not by the people who are not: Bob never sees Alice's caucus or her ratings.
        assert MARK["caucus"] not in page(cast.bob, f"{rooms}/{cast.room('joint').pk}/")
        assert Api(cast.bob).get(f"{base(cast)}/ratings")[1] == []
    shutil.rmtree(media, ignore_errors=True)
