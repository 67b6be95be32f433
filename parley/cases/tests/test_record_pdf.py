"""The participant's record as a PDF (R5.2): what they can see, privileged items stamped."""

from __future__ import annotations

import io
import re

from django.test import Client
from pypdf import PdfReader

from parley.cases.actions import do_terminate
from parley.rooms.actions import do_post_entry
from parley.testing import Cast


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def download(user: object, path: str) -> tuple[int, bytes, str]:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get(path)
    return response.status_code, response.content, response.get("Content-Type", "")


def write(active: Cast) -> int:
    assert active.case is not None
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


def test_r5_2_a_pdf_record_holds_what_its_reader_sees_stamped(active: Cast) -> None:
    case_id = write(active)
    status, pdf, kind = download(active.alice, f"/api/v1/cases/{case_id}/export.pdf")
    assert (status, kind) == (200, "application/pdf")
    text = text_of(pdf)
    assert "Alice's bottom line is seven thousand" in text
    assert "Bob says hello to everyone" in text
    assert "PRIVILEGED AND CONFIDENTIAL" in text
    assert "Maya's private note" not in text


def test_r5_2_the_other_side_and_the_mediator_get_only_their_own_view(active: Cast) -> None:
    case_id = write(active)
    _, bob_pdf, _ = download(active.bob, f"/cases/{case_id}/record.pdf")
    assert "seven thousand" not in text_of(bob_pdf)
    assert "Bob says hello to everyone" in text_of(bob_pdf)
    # R3.4: the notebook is never exported, not even to the mediator.
    _, maya_pdf, _ = download(active.maya, f"/cases/{case_id}/record.pdf")
    assert "Maya's private note" not in text_of(maya_pdf)
    assert "seven thousand" in text_of(maya_pdf)


def test_r5_1_entries_after_the_end_are_stamped_not_confidential(active: Cast) -> None:
    case_id = write(active)
    do_terminate(acting_user=active.bob, case_id=case_id)
    do_post_entry(
        acting_user=active.alice,
        case_id=case_id,
        room_id=active.room("joint").pk,
        body="Written after the end",
        acknowledge_not_confidential=True,
    )
    _, pdf, _ = download(active.alice, f"/cases/{case_id}/record.pdf")
    assert "NOT CONFIDENTIAL: written after the mediation ended" in text_of(pdf)


def test_r3_6_an_outsider_gets_the_same_404_for_the_record(active: Cast) -> None:
    case_id = write(active)
    for path in (f"/cases/{case_id}/record.pdf", f"/cases/{case_id}/record.json"):
        real = download(active.olga, path)
        missing = download(active.olga, path.replace(str(case_id), "999999"))
        assert real[0] == missing[0] == 404
        # The pages differ only by their per-response CSRF token (sign-out form).
        token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
        assert token.sub(b"", real[1]) == token.sub(b"", missing[1])
    status, body, _ = download(active.olga, f"/api/v1/cases/{case_id}/export.pdf")
    assert (status, body) == (404, b'{"code": "not_found", "detail": "Not found."}')


def test_the_json_record_downloads_from_the_page(active: Cast) -> None:
    case_id = write(active)
    status, body, kind = download(active.bob, f"/cases/{case_id}/record.json")
    assert status == 200 and kind.startswith("application/json")
    assert b"seven thousand" not in body
    assert download(active.bob, f"/cases/{case_id}/record.exe")[0] == 404
