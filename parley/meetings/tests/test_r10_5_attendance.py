"""R10.5: presence during a session records joins and leaves; the mediator confirms the roster
(adding who joined by phone); the §7 report and the court order's count read that roster."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from parley.agreements.policy import AgreementPolicy
from parley.cases.policy import CourtOrder
from parley.meetings.actions import do_schedule_session
from parley.meetings.models import PresenceSpan, Session
from parley.meetings.policy import SessionKind
from parley.testing import ActiveCast, Api, Cast, build_case, hold_session, make_cast, open_socket


def running_session(cast: ActiveCast) -> Session:
    now = timezone.now()
    return do_schedule_session(
        acting_user=cast.maya,
        case_id=cast.case.pk,
        kind=SessionKind.JOINT,
        side_id=None,
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(minutes=55),
        time_zone="America/New_York",
    )


@pytest.mark.django_db(transaction=True)
async def test_r10_5_joining_during_the_session_is_seen_and_proposed_for_the_roster() -> None:
    cast = await sync_to_async(lambda: build_case(make_cast(), stage="active"))()
    session = await sync_to_async(running_session)(cast)
    alice, ok, _ = await open_socket(cast.alice, cast.case.pk)
    assert ok
    bob, ok, _ = await open_socket(cast.bob, cast.case.pk)
    assert ok
    await bob.disconnect()
    url = f"/cases/{cast.case.pk}/sessions/{session.pk}/attendance"
    status, roster = await sync_to_async(lambda: Api(cast.maya).get(url))()
    ids = await sync_to_async(
        lambda: {u: cast.participant(u).pk for u in (cast.maya, cast.alice, cast.bob, cast.carol)}
    )()
    assert status == 200
    assert roster["seen_in_parley"] == sorted([ids[cast.alice], ids[cast.bob]])
    assert roster["confirmed"] is None
    spans = await sync_to_async(
        lambda: list(
            PresenceSpan.objects.filter(case=cast.case)
            .order_by("participant_id")
            .values_list("participant_id", "left_at")
        )
    )()
    assert [(pid, left is None) for pid, left in spans] == [
        (ids[cast.alice], True),
        (ids[cast.bob], False),
    ]
    await alice.disconnect()
    status, roster = await sync_to_async(
        lambda: Api(cast.maya).post(
            url, {"present": [ids[cast.alice], ids[cast.bob]], "by_phone": [ids[cast.carol]]}
        )
    )()
    assert (status, roster["confirmed"]) == (
        200,
        sorted([ids[cast.alice], ids[cast.bob], ids[cast.carol]]),
    )
    assert (await sync_to_async(lambda: Api(cast.alice).get(url))())[0] == 403


def test_r10_5_only_the_mediator_confirms_and_only_invitees_attend(active: ActiveCast) -> None:
    side_b = active.participant(active.bob).side_id
    now = timezone.now()
    caucus = do_schedule_session(
        acting_user=active.maya,
        case_id=active.case.pk,
        kind=SessionKind.CAUCUS,
        side_id=side_b,
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(minutes=30),
        time_zone="UTC",
    )
    url = f"/cases/{active.case.pk}/sessions/{caucus.pk}/attendance"
    alice = active.participant(active.alice).pk
    status, refusal = Api(active.maya).post(url, {"present": [alice]})
    assert (status, refusal["code"]) == (422, "bad_attendee")  # not invited to Bob's caucus
    assert Api(active.alice).post(url, {"present": [alice]})[0] == 404
    assert Api(active.bob).post(url, {"present": []})[0] == 403


def test_r10_5_the_report_lists_who_attended_which_session_from_the_roster_alone(
    cast: Cast,
) -> None:
    cast = build_case(
        cast, policy=AgreementPolicy(court_order=CourtOrder("the County Court", "CO-9", 2))
    )
    side_a = cast.participant(cast.alice).side_id
    hold_session(cast, [cast.maya, cast.alice, cast.bob])
    hold_session(cast, [cast.maya, cast.alice, cast.carol], kind="caucus", side_id=side_a)
    # A session whose roster is not confirmed is not in the report, whoever was online.
    running_session(cast)
    status, report = Api(cast.maya).get(f"/cases/{cast.case.pk}/report")
    assert status == 200
    assert [
        (s["number"], s["kind"], s["every_party_present"], [a["name"] for a in s["attendees"]])
        for s in report["sessions"]
    ] == [
        (1, "Joint session", True, ["Maya Mediator", "Alice Alvarez", "Bob Brightline"]),
        (2, "Caucus", False, ["Maya Mediator", "Alice Alvarez", "Carol Counsel"]),
    ]
    # R7.4: the caucus does not count toward the order's minimum of 2 (every party present).
    _, warning = Api(cast.alice).get(f"/cases/{cast.case.pk}/termination-warning")
    assert "1 have been held" in warning["warning"]
    hold_session(cast, [cast.alice, cast.bob])
    assert Api(cast.alice).get(f"/cases/{cast.case.pk}/termination-warning")[1] == {"warning": None}


def test_r10_5_the_court_report_page_and_pdf_are_the_mediators_with_reference_and_hash(
    active: ActiveCast,
) -> None:
    hold_session(active, [active.alice, active.bob])
    maya = Client()
    maya.force_login(active.maya)
    page = maya.get(f"/cases/{active.case.pk}/report/").content.decode()
    _, report = Api(active.maya).get(f"/cases/{active.case.pk}/report")
    assert "R-1" in page and report["sha256"] in page
    pdf = maya.get(f"/cases/{active.case.pk}/report.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(BytesIO(pdf.content)).pages
    )
    assert "Alice Alvarez (Party)" in text and "Bob Brightline (Party)" in text
    assert "R-1" in text and report["sha256"] in text
    bob = Client()
    bob.force_login(active.bob)
    assert bob.get(f"/cases/{active.case.pk}/report/").status_code == 404
    assert bob.get(f"/cases/{active.case.pk}/report.pdf").status_code == 404
