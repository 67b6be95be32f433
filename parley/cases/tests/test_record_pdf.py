"""The participant's record as a PDF (R5.2): what they can see, privileged items stamped. The
export jobs that make it are tested in parley/notifications/tests/test_exports.py."""

from __future__ import annotations

import io
import re

from django.test import Client
from pypdf import PdfReader

from parley.cases.actions import do_terminate
from parley.cases.record import open_record
from parley.cases.record_pdf import record_pdf_bytes
from parley.rooms.actions import do_post_entry
from parley.testing import ActiveCast


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def download(user: object, path: str) -> tuple[int, bytes, str]:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get(path)
    return response.status_code, response.content, response.get("Content-Type", "")


def write(active: ActiveCast) -> int:
    case_id = active.case.pk
    do_post_entry(
        acting_user=active.alice,
        case_id=case_id,
        room_id=active.room("caucus_a").pk,
        body="Alice's bottom line is seven thousand",
    )
    do_post_entry(
        acting_user=active.bob,
        case_id=case_id,
        room_id=active.room("joint").pk,
        body="Bob says hello to everyone",
    )
    do_post_entry(
        acting_user=active.maya,
        case_id=case_id,
        room_id=active.room("notebook").pk,
        body="Maya's private note",
    )
    return case_id


def test_r5_1_entries_after_the_end_are_stamped_not_confidential(active: ActiveCast) -> None:
    case_id = write(active)
    do_terminate(acting_user=active.bob, case_id=case_id)
    do_post_entry(
        acting_user=active.alice,
        case_id=case_id,
        room_id=active.room("joint").pk,
        body="Written after the end",
        acknowledge_not_confidential=True,
    )
    text = text_of(record_pdf_bytes(open_record(active.alice, case_id)))
    assert "Written after the end NOT CONFIDENTIAL: written after the mediation ended" in text
    assert "seven thousand PRIVILEGED AND CONFIDENTIAL" in text


def test_r3_6_an_outsider_gets_the_same_404_for_the_record(active: ActiveCast) -> None:
    case_id = write(active)
    for tail in ("/record/", "/record/progress/", "/record/1/download/"):
        real = download(active.olga, f"/cases/{case_id}{tail}")
        missing = download(active.olga, f"/cases/999999{tail}")
        assert real[0] == missing[0] == 404
        # The pages differ only by their per-response CSRF token (sign-out form).
        token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
        assert token.sub(b"", real[1]) == token.sub(b"", missing[1])
    status, body, _ = download(active.olga, f"/api/v1/cases/{case_id}/export")
    assert (status, body) == (404, b'{"code": "not_found", "detail": "Not found."}')


def test_the_record_page_offers_both_formats_and_refuses_others(active: ActiveCast) -> None:
    case_id = write(active)
    client = Client()
    client.force_login(active.bob)
    page = client.get(f"/cases/{case_id}/record/").content.decode()
    assert 'value="pdf"' in page and 'value="json"' in page
    assert client.post(f"/cases/{case_id}/record/", {"format": "exe"}).status_code == 404
