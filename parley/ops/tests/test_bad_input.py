"""R11.5: bad input is a clear 4xx `{code, detail}` that changes nothing, never a 500 and never
silently accepted."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parley.bodylimit import BodyLimit
from parley.cases.models import Case, Invitation
from parley.cases.policy import CaseStatus
from parley.documents.models import Document
from parley.meetings.models import Session as MediationSession
from parley.negotiation.models import Bidding
from parley.rooms.models import Entry
from parley.testing import ActiveCast, Api, Cast, hold_session, small_pdf


def raw_post(user: Any, path: str, body: str) -> tuple[int, Any]:
    client = Client()
    client.force_login(user)
    response = client.post(f"/api/v1{path}", data=body, content_type="application/json")
    return response.status_code, response.json()


def assert_refused(status: int, body: Any, code: str | None = None) -> None:
    assert 400 <= status < 500, (status, body)
    assert set(body) == {"code", "detail"}, body
    if code is not None:
        assert body["code"] == code, body


def bidding_setup(active: ActiveCast) -> tuple[str, dict[str, Any]]:
    sides = active.case.sides.order_by("position")
    return f"/cases/{active.case.pk}/negotiation/bidding", {
        "payer": sides[1].pk,
        "claimant": sides[0].pk,
    }


@pytest.mark.parametrize("margin", ["NaN", "Infinity", "-Infinity", "1E+11", "sNaN", "30%"])
def test_r11_5_a_margin_that_is_not_a_figure_is_refused(active: ActiveCast, margin: str) -> None:
    path, body = bidding_setup(active)
    status, answer = Api(active.maya).post(path, {**body, "margin_value": margin})
    assert_refused(status, answer)
    assert not Bidding.objects.exists()


@pytest.mark.parametrize("amount", ["١٢٠٠٠", "1_000", "12,,000", "1E+11", "NaN", "12,00", "٣"])
def test_r11_5_amounts_are_plain_figures_only(active: ActiveCast, amount: str) -> None:
    path, body = bidding_setup(active)
    assert Api(active.maya).post(path, body)[0] == 201
    status, answer = Api(active.alice).post(f"{path}/bids", {"amount": amount})
    assert_refused(status, answer, "bad_amount")


def test_r11_5_an_amount_with_thousands_separators_is_accepted(active: ActiveCast) -> None:
    path, body = bidding_setup(active)
    assert Api(active.maya).post(path, body)[0] == 201
    assert Api(active.alice).post(f"{path}/bids", {"amount": "12,000.50"})[0] == 201


def test_r11_5_an_attendee_id_past_64_bits_is_refused(active: ActiveCast) -> None:
    session = hold_session(active, [active.alice])
    path = f"/cases/{active.case.pk}/sessions/{session.pk}/attendance"
    for attendees in ([2**63], [-1], [0]):
        status, answer = Api(active.maya).post(path, {"present": attendees})
        assert_refused(status, answer)
    status, answer = Api(active.maya).post(
        f"/cases/{active.case.pk}/sessions/{2**63}/attendance", {"present": []}
    )
    assert_refused(status, answer)


@pytest.mark.parametrize("start", ["0001-01-01T10:00", "0", "9999-12-31T10:00", "-1"])
def test_r11_5_implausible_dates_are_refused(active: ActiveCast, start: str) -> None:
    before = MediationSession.objects.count()
    status, answer = Api(active.maya).post(
        f"/cases/{active.case.pk}/sessions",
        {"start": start, "end": "2026-12-03T15:00", "time_zone": "Europe/Berlin"},
    )
    assert_refused(status, answer, "bad_time")
    assert MediationSession.objects.count() == before


@pytest.mark.parametrize("body", ['"hello world"', "[null, null]", "42", "null", "true"])
def test_r11_5_a_json_body_that_is_not_an_object_is_refused(active: ActiveCast, body: str) -> None:
    before = Case.objects.count()
    status, answer = raw_post(active.maya, "/cases", body)
    assert_refused(status, answer, "bad_body")
    status, answer = raw_post(active.alice, f"/cases/{active.case.pk}/terminate", body)
    assert_refused(status, answer, "bad_body")
    assert Case.objects.count() == before
    active.case.refresh_from_db()
    assert active.case.status == CaseStatus.ACTIVE


def test_r11_5_a_body_that_is_not_json_is_refused(active: ActiveCast) -> None:
    status, answer = raw_post(active.maya, "/cases", "{title: oops")
    assert_refused(status, answer, "bad_json")


def test_r11_5_nul_anywhere_in_a_body_is_422(active: ActiveCast) -> None:
    room = active.room("joint").pk
    for body in ({"body": "a\x00b"}, {"body": "fine", "client_key": "k\x00"}, {"x\x00": 1}):
        status, answer = Api(active.alice).post(
            f"/cases/{active.case.pk}/rooms/{room}/entries", body
        )
        assert status == 422, answer
        assert set(answer) == {"code", "detail"}
    assert not [e for e in Entry.objects.all() if "fine" in e.body]


@pytest.mark.parametrize(
    "email",
    [
        "dan@example.com\r\nBcc: everyone@example.com",
        "dan@example.com\nx",
        "dan\r@example.com",
        "not an address",
    ],
)
def test_r11_5_an_email_with_line_breaks_is_refused(cast: Cast, email: str) -> None:
    from parley.testing import build_case

    cast = build_case(cast, stage="setup")
    mail.outbox.clear()
    status, answer = Api(cast.maya).post(
        f"/cases/{cast.case.pk}/invitations",
        {"email": email, "name": "Dan Dawson", "role": "observer"},
    )
    assert_refused(status, answer, "bad_email")
    assert not Invitation.objects.filter(display_name="Dan Dawson").exists()
    assert mail.outbox == []


@pytest.mark.parametrize("label", ["Alice\nand Bob", "Tab\there", "Hidden\u202eedis"])
def test_r11_5_a_side_label_is_one_line_of_visible_text(cast: Cast, label: str) -> None:
    from parley.testing import build_case

    cast = build_case(cast, stage="setup")
    status, answer = Api(cast.maya).post(
        f"/cases/{cast.case.pk}/invitations",
        {"email": "dan@example.com", "name": "Dan Dawson", "role": "party", "side_label": label},
    )
    assert_refused(status, answer, "bad_label")


def test_r11_5_bidi_and_zero_width_text_is_kept_and_rendered_isolated(active: ActiveCast) -> None:
    text = "Please open invoice\u202efdp.exe and\u200b sign"
    room = active.room("joint").pk
    status, answer = Api(active.alice).post(
        f"/cases/{active.case.pk}/rooms/{room}/entries", {"body": text}
    )
    assert status == 201
    assert answer["body"] == text  # kept as written
    client = Client()
    client.force_login(active.bob)
    page = client.get(f"/cases/{active.case.pk}/rooms/{room}/").content.decode()
    assert f'<div class="body" dir="auto"><bdi>{text}</bdi></div>' in page
    assert "invisible direction or zero-width characters" in page


def test_r11_5_a_file_name_loses_its_hidden_controls(active: ActiveCast) -> None:
    client = Client()
    client.force_login(active.alice)
    upload = SimpleUploadedFile("invoice\u202etxt.pdf", small_pdf(), content_type="text/plain")
    response = client.post(
        f"/api/v1/cases/{active.case.pk}/documents",
        {"room": active.room("joint").pk, "provenance": "prepared", "file": upload},
    )
    assert response.status_code == 201
    page = client.get(f"/cases/{active.case.pk}/rooms/{active.room('joint').pk}/")
    html = page.content.decode()
    assert "Download <bdi>invoicetxt.pdf</bdi>" in html
    assert "\u202e" not in html


def test_r11_5_a_file_that_only_starts_like_a_pdf_is_refused(active: ActiveCast) -> None:
    client = Client()
    client.force_login(active.alice)
    for content in (b"%PDF-1.7\n" + b"<script>" * 500, b"%PDF-"):
        upload = SimpleUploadedFile("quote.pdf", content, content_type="application/pdf")
        response = client.post(
            f"/api/v1/cases/{active.case.pk}/documents",
            {"room": active.room("joint").pk, "provenance": "prepared", "file": upload},
        )
        assert response.status_code == 422
        assert response.json()["code"] == "file_type_mismatch"
    assert not Document.objects.exists()
    good = SimpleUploadedFile("quote.pdf", small_pdf(), content_type="application/pdf")
    response = client.post(
        f"/api/v1/cases/{active.case.pk}/documents",
        {"room": active.room("joint").pk, "provenance": "prepared", "file": good},
    )
    assert response.status_code == 201


def _run_limited(headers: list[tuple[bytes, bytes]], chunks: int) -> tuple[int, int, bool]:
    """A 1 MiB-per-message body of `chunks` MiB through the body limit (20 MiB here):
    (status answered, messages the server pulled, whether the application was reached)."""
    pulled = 0
    sent: list[dict[str, Any]] = []
    reached = False

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * 2**20, "more_body": pulled < chunks}

    async def send(message: Any) -> None:
        sent.append(message)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal reached
        reached = True
        while (await receive())["type"] == "http.request":
            pass

    scope = {"type": "http", "path": "/api/v1/cases/1/documents", "headers": headers}
    asyncio.run(BodyLimit(app, limit=20 * 2**20)(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert json.loads(body)["code"] == "too_large"
    return start["status"], pulled, reached


def test_r11_5_an_upload_over_the_limit_is_refused_while_it_streams() -> None:
    # Declared too large: refused before a single byte of the body is read.
    status, pulled, reached = _run_limited([(b"content-length", str(150 * 2**20).encode())], 150)
    assert (status, pulled, reached) == (413, 0, False)
    # Sent without a length: refused once it passes the limit, not after 150 MB.
    status, pulled, _ = _run_limited([], 150)
    assert status == 413
    assert pulled == 21
