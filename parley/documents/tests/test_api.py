"""Documents through the API, as each member of the cast sees them (R3.5, R4.3, R9.1)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from parley.audit.chain import salted_hash
from parley.audit.models import AuditEvent
from parley.documents.models import Document
from parley.rooms.models import Entry
from parley.testing import ActiveCast, Api, small_pdf

PDF = small_pdf()


def upload(cast: ActiveCast, user: Any, room: str, **fields: Any) -> tuple[int, Any]:
    client = Client()
    client.force_login(user)
    data = {
        "room": cast.room(room).pk,
        "provenance": "pre_existing",
        "file": SimpleUploadedFile("quote.pdf", PDF, content_type="text/html"),
        **fields,
    }
    response = client.post(f"/api/v1/cases/{cast.case.pk}/documents", data)
    return response.status_code, response.json()


def download(cast: ActiveCast, user: Any, document_id: int) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(f"/api/v1/cases/{cast.case.pk}/documents/{document_id}/content")


def test_r3_5_an_uploaded_document_is_an_entry_with_its_hash_and_provenance(
    active: ActiveCast,
) -> None:
    status, entry = upload(active, active.alice, "caucus_a", description="The other quote")
    assert status == 201, entry
    assert entry["kind"] == "document"
    assert entry["body"] == "The other quote"
    assert entry["instruction"] == "may_disclose"
    assert entry["privileged"] is True
    doc = entry["document"]
    assert doc["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert doc["content_type"] == "application/pdf"
    assert doc["provenance"] == "pre_existing"
    assert doc["name"] == "quote.pdf"


def test_r9_1_the_audit_log_holds_the_files_hash_and_not_its_content(active: ActiveCast) -> None:
    _, entry = upload(active, active.alice, "joint")
    event = AuditEvent.objects.get(kind="document_uploaded", subject_id=entry["id"])
    file_hash = hashlib.sha256(PDF).hexdigest()
    assert event.content_hashes["file"] == salted_hash(entry["audit_salt"], file_hash)
    assert file_hash not in str(event.content_hashes)
    assert "quote" not in str(event.content_hashes)


def test_r3_5_a_caucus_document_downloads_for_its_side_and_the_mediator_only(
    active: ActiveCast,
) -> None:
    _, entry = upload(active, active.alice, "caucus_a")
    doc_id = entry["document"]["id"]
    for user in (active.alice, active.carol, active.maya):
        response = download(active, user, doc_id)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
    for user in (active.bob, active.olga):
        response = download(active, user, doc_id)
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "detail": "Not found."}
    missing = download(active, active.bob, 999_999)
    assert missing.json() == {"code": "not_found", "detail": "Not found."}


def test_r3_3_a_counsel_room_document_is_not_the_mediators(active: ActiveCast) -> None:
    _, entry = upload(active, active.carol, "counsel_a")
    assert download(active, active.maya, entry["document"]["id"]).status_code == 404


def test_r4_3_a_shared_document_downloads_for_the_other_side_with_its_source(
    active: ActiveCast,
) -> None:
    _, entry = upload(active, active.alice, "caucus_a")
    status, copy = Api(active.maya).post(
        f"/cases/{active.case.pk}/entries/{entry['id']}/share",
        {"target_room": active.room("joint").pk},
    )
    assert status == 201, copy
    assert copy["source"]["entry"] == entry["id"]
    response = download(active, active.bob, copy["document"]["id"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_r4_3_a_do_not_disclose_document_cannot_be_shared(active: ActiveCast) -> None:
    _, entry = upload(active, active.alice, "caucus_a", instruction="do_not_disclose")
    status, body = Api(active.maya).post(
        f"/cases/{active.case.pk}/entries/{entry['id']}/share",
        {"target_room": active.room("joint").pk},
    )
    assert (status, body["code"]) == (409, "disclosure_refused")
    assert Document.objects.count() == 1


def test_a_file_that_is_not_what_its_name_says_is_refused_and_not_stored(
    active: ActiveCast,
) -> None:
    client = Client()
    client.force_login(active.alice)
    response = client.post(
        f"/api/v1/cases/{active.case.pk}/documents",
        {
            "room": active.room("joint").pk,
            "provenance": "prepared",
            "file": SimpleUploadedFile("evil.pdf", b"<script>alert(1)</script>"),
        },
    )
    assert response.status_code == 422
    assert response.json()["code"] == "file_type_mismatch"
    assert not Entry.objects.filter(kind="document").exists()


def test_a_file_over_the_size_limit_is_refused(
    active: ActiveCast, settings: SettingsWrapper
) -> None:
    settings.PARLEY_MAX_UPLOAD_BYTES = len(PDF) - 1
    status, body = upload(active, active.alice, "joint")
    assert (status, body["code"]) == (422, "file_too_large")


def test_provenance_is_required(active: ActiveCast) -> None:
    status, body = upload(active, active.alice, "joint", provenance="whatever")
    assert (status, body["code"]) == (422, "provenance_required")


def test_r3_6_an_outsider_cannot_upload_into_a_case(active: ActiveCast, media_in_tmp: Any) -> None:
    status, body = upload(active, active.olga, "joint")
    assert (status, body) == (404, {"code": "not_found", "detail": "Not found."})
    assert not any(media_in_tmp.rglob("*")) if media_in_tmp.exists() else True


def test_r3_6_bob_cannot_upload_into_alices_caucus(active: ActiveCast) -> None:
    status, body = upload(active, active.bob, "caucus_a")
    assert (status, body["code"]) == (404, "not_found")


def test_the_web_download_goes_through_the_same_check(active: ActiveCast) -> None:
    _, entry = upload(active, active.alice, "caucus_a")
    url = f"/cases/{active.case.pk}/documents/{entry['document']['id']}/download/"
    alice, bob = Client(), Client()
    alice.force_login(active.alice)
    bob.force_login(active.bob)
    assert alice.get(url).status_code == 200
    refused = bob.get(url)
    assert refused.status_code == 404
    assert b"quote.pdf" not in refused.content
