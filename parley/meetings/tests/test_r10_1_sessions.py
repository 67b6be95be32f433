"""R10.1: the mediator schedules, moves and cancels sessions; who sees one follows its room."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client

from parley.audit.models import AuditEvent
from parley.meetings.tests.helpers import Capture, berlin, mails_to, schedule
from parley.testing import ActiveCast, Api, cid, hold_session

NOT_FOUND = {"code": "not_found", "detail": "Not found."}


def test_r10_1_a_joint_session_is_for_everyone_signed_and_no_one_else(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    session = schedule(active, django_capture_on_commit_callbacks, link="https://meet.example/x")
    for user in (active.alice, active.bob, active.carol):
        status, rows = Api(user).get(f"/cases/{cid(active)}/sessions")
        assert (status, [r["id"] for r in rows]) == (200, [session["id"]])
        assert rows[0]["video_link"] == "https://meet.example/x"
    assert Api(active.olga).get(f"/cases/{cid(active)}/sessions") == (404, NOT_FOUND)
    invited = sorted(a for m in mail.outbox for a in m.to)
    assert invited == sorted(u.email for u in (active.maya, active.alice, active.bob, active.carol))


def test_r10_1_a_caucus_session_is_only_for_that_side_and_the_mediator(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    side_a = active.participant(active.alice).side_id
    mail.outbox.clear()
    session = schedule(active, django_capture_on_commit_callbacks, kind="caucus", side=side_a)
    assert session["label"] == "Caucus with Alice"
    assert [r["id"] for r in Api(active.carol).get(f"/cases/{cid(active)}/sessions")[1]] == [
        session["id"]
    ]
    assert Api(active.bob).get(f"/cases/{cid(active)}/sessions") == (200, [])
    moved = Api(active.bob).post(f"/cases/{cid(active)}/sessions/{session['id']}/cancel", {})
    assert moved == (404, NOT_FOUND)  # the same as a session that does not exist
    assert sorted(a for m in mail.outbox for a in m.to) == sorted(
        [active.maya.email, active.alice.email, active.carol.email]
    )
    page = Client()
    page.force_login(active.bob)
    assert b"Caucus with Alice" not in page.get(f"/cases/{cid(active)}/sessions/").content


@pytest.mark.parametrize(("who", "status"), [("alice", 403), ("olga", 404)])
def test_r10_1_only_the_mediator_schedules(active: ActiveCast, who: str, status: int) -> None:
    start = berlin()
    answer = Api(getattr(active, who)).post(
        f"/cases/{cid(active)}/sessions",
        {
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "time_zone": "Europe/Berlin",
        },
    )
    assert answer[0] == status


@pytest.mark.parametrize(
    ("start", "end", "zone", "code"),
    [
        ("2030-01-10T15:00", "2030-01-10T14:00", "Europe/Berlin", "bad_time"),
        ("2020-01-10T14:00", "2020-01-10T15:00", "Europe/Berlin", "bad_time"),
        ("2030-01-10T08:00", "2030-01-10T21:00", "Europe/Berlin", "bad_time"),
        ("2030-01-10T14:00", "2030-01-10T15:00", "Mars/Olympus", "bad_time_zone"),
        ("tomorrow", "2030-01-10T15:00", "Europe/Berlin", "bad_time"),
    ],
)
def test_r10_1_impossible_times_are_refused_with_a_reason(
    active: ActiveCast, start: str, end: str, zone: str, code: str
) -> None:
    status, refusal = Api(active.maya).post(
        f"/cases/{cid(active)}/sessions", {"start": start, "end": end, "time_zone": zone}
    )
    assert (status, refusal["code"]) == (422, code)


def test_r10_1_a_video_link_must_be_a_web_address(active: ActiveCast) -> None:
    start = berlin()
    status, refusal = Api(active.maya).post(
        f"/cases/{cid(active)}/sessions",
        {
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "time_zone": "Europe/Berlin",
            "video_link": "javascript:alert(1)",
        },
    )
    assert (status, refusal["code"]) == (422, "bad_video_link")


def test_r10_1_moving_and_cancelling_tell_everyone_invited_and_are_in_the_audit_chain(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    session = schedule(active, django_capture_on_commit_callbacks)
    later = berlin(days=4, hour=10)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        status, moved = Api(active.maya).post(
            f"/cases/{cid(active)}/sessions/{session['id']}/move",
            {
                "start": later.strftime("%Y-%m-%dT%H:%M"),
                "end": (later + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                "time_zone": "Europe/Berlin",
            },
        )
    assert (status, moved["sequence"]) == (200, 1)
    assert datetime.fromisoformat(moved["starts_at"]) == later
    assert [
        m.subject.startswith("Mediation session moved") for m in mails_to(active.bob.email)
    ] == [True]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        status, cancelled = Api(active.maya).post(
            f"/cases/{cid(active)}/sessions/{session['id']}/cancel", {}
        )
    assert (status, cancelled["status"], cancelled["sequence"]) == (200, "cancelled", 2)
    assert len(mail.outbox) == 4
    assert all("cancelled" in m.subject for m in mail.outbox)
    kinds = list(
        AuditEvent.objects.filter(case_id=cid(active))
        .filter(kind__startswith="session_")
        .values_list("kind", flat=True)
    )
    assert kinds == ["session_scheduled", "session_moved", "session_cancelled"]
    status, refusal = Api(active.maya).post(
        f"/cases/{cid(active)}/sessions/{session['id']}/cancel", {}
    )
    assert (status, refusal["code"]) == (409, "session_cancelled")


def test_r10_1_a_berlin_session_shows_at_the_right_new_york_time_across_daylight_saving(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    """15:00 in Berlin is 09:00 in New York in winter, 10:00 in the weeks when only the US has
    moved its clocks (2030: 10 March in the US, 31 March in Europe), and 09:00 again after."""
    active.alice.time_zone = "America/New_York"
    active.alice.save(update_fields=["time_zone"])
    page = Client()
    page.force_login(active.alice)
    expected = {
        datetime(2030, 3, 5, 15, 0): "09:00",
        datetime(2030, 3, 20, 15, 0): "10:00",
        datetime(2030, 4, 10, 15, 0): "09:00",
    }
    for naive, new_york in expected.items():
        start = naive.replace(tzinfo=ZoneInfo("Europe/Berlin"))
        session = schedule(active, django_capture_on_commit_callbacks, start=start, hours=1)
        html = page.get(f"/cases/{cid(active)}/sessions/").content.decode()
        hour = int(new_york[:2])
        assert (
            f"{start.day} {start:%b} 2030, {new_york}–{hour + 1:02d}:00 (America/New_York)" in html
        )
        utc = datetime.fromisoformat(session["starts_at"]).astimezone(ZoneInfo("UTC"))
        assert utc.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M") == new_york
        # Her invitation mail gives her time; the mediator's gives Berlin's.
        assert f", {new_york}–" in mails_to(active.alice.email)[-1].subject
        assert ", 15:00–16:00 (Europe/Berlin)" in mails_to(active.maya.email)[-1].subject
    assert "(America/New_York)" in page.get("/").content.decode()
    # Without a zone in her account, the zone her browser reports is used.
    active.alice.time_zone = "UTC"
    active.alice.save(update_fields=["time_zone"])
    page.cookies["parley_tz"] = "Asia/Tokyo"
    assert "(Asia/Tokyo)" in page.get(f"/cases/{cid(active)}/sessions/").content.decode()


def test_r10_1_the_workspace_and_dashboard_show_the_next_session_with_a_join_button(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    schedule(active, django_capture_on_commit_callbacks, link="https://meet.example/room")
    page = Client()
    page.force_login(active.bob)
    page.cookies["parley_tz"] = "Europe/Berlin"
    joint = active.room("joint").pk
    for html in (
        page.get(f"/cases/{cid(active)}/rooms/{joint}/").content.decode(),
        page.get("/").content.decode(),
    ):
        assert "Next session:" in html and "14:00–16:00 (Europe/Berlin)" in html
        assert 'href="https://meet.example/room"' in html


def test_r10_1_while_a_session_runs_the_workspace_says_so(active: ActiveCast) -> None:
    hold_session(active, [active.alice, active.bob])
    page = Client()
    page.force_login(active.alice)
    html = page.get(f"/cases/{cid(active)}/rooms/{active.room('joint').pk}/").content.decode()
    assert "Joint session in progress" in html


def test_r10_1_the_mediator_schedules_from_the_sessions_page_without_javascript(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    page = Client()
    page.force_login(active.maya)
    day = berlin(days=5)
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(
            f"/cases/{cid(active)}/sessions/new/",
            {
                "kind": f"caucus:{active.participant(active.bob).side_id}",
                "date": day.date().isoformat(),
                "start": "09:30",
                "end": "10:15",
                "time_zone": "Europe/Berlin",
            },
            follow=True,
        )
    html = response.content.decode()
    assert "Session scheduled" in html and "Caucus with Bob" in html
    assert "Confirm attendance" not in html  # not before it starts
    assert sorted(a for m in mail.outbox for a in m.to) == sorted(
        [active.maya.email, active.bob.email]
    )
    response = page.post(
        f"/cases/{cid(active)}/sessions/new/",
        {"date": day.date().isoformat(), "start": "10:00", "end": "09:00", "time_zone": "Nowhere"},
        follow=True,
    )
    assert "Pick a time zone" in response.content.decode()
