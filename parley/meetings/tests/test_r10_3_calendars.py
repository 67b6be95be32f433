"""R10.3: content-free calendar files on every invitation, change and cancellation mail, and a
private feed per person that can be revoked and regenerated."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core import mail
from django.test import Client
from icalendar import Calendar

from parley.meetings.tests.helpers import Capture, berlin, ics_of, mails_to, schedule
from parley.rooms.actions import do_post_entry
from parley.testing import ActiveCast, Api, cid

SECRET = "Alice would take 12,500 and the dog"


def only_event(cal: Calendar) -> object:
    [event] = cal.walk("VEVENT")
    return event


def test_r10_3_each_invitation_carries_an_ics_at_the_right_instant_with_its_time_zone(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    start = berlin(days=6, hour=15)
    session = schedule(active, django_capture_on_commit_callbacks, start=start)
    for user in (active.maya, active.alice, active.bob, active.carol):
        [message] = mails_to(user.email)
        cal = ics_of(message)
        assert cal is not None
        assert str(cal["METHOD"]) == "REQUEST"
        event = only_event(cal)
        assert event["DTSTART"].dt == start  # type: ignore[index]
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"  # type: ignore[index]
        assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
        assert event["DTSTART"].dt.astimezone(ZoneInfo("UTC")) == datetime.fromisoformat(  # type: ignore[index]
            session["starts_at"]
        )
        assert int(event["SEQUENCE"]) == 0  # type: ignore[index]


def test_r10_3_a_move_raises_sequence_keeping_the_uid_and_a_cancel_sends_method_cancel(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    session = schedule(active, django_capture_on_commit_callbacks)
    first = ics_of(mails_to(active.bob.email)[0])
    assert first is not None
    uid = str(only_event(first)["UID"])  # type: ignore[index]
    later = berlin(days=7, hour=9)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        Api(active.maya).post(
            f"/cases/{cid(active)}/sessions/{session['id']}/move",
            {
                "start": later.strftime("%Y-%m-%dT%H:%M"),
                "end": (later + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                "time_zone": "Europe/Berlin",
            },
        )
    moved = ics_of(mails_to(active.bob.email)[0])
    assert moved is not None
    event = only_event(moved)
    assert (str(event["UID"]), int(event["SEQUENCE"]), str(moved["METHOD"])) == (uid, 1, "REQUEST")  # type: ignore[index]
    assert event["DTSTART"].dt == later  # type: ignore[index]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        Api(active.maya).post(f"/cases/{cid(active)}/sessions/{session['id']}/cancel", {})
    cancelled = ics_of(mails_to(active.bob.email)[0])
    assert cancelled is not None
    event = only_event(cancelled)
    assert str(cancelled["METHOD"]) == "CANCEL"
    assert (str(event["UID"]), int(event["SEQUENCE"]), str(event["STATUS"])) == (  # type: ignore[index]
        uid,
        2,
        "CANCELLED",
    )


def test_r10_3_calendars_say_mediation_session_and_the_title_only_when_allowed(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    do_post_entry(
        acting_user=active.alice,
        case_id=cid(active),
        room_id=active.room("joint").pk,
        body=SECRET,
    )
    schedule(active, django_capture_on_commit_callbacks)
    cal = ics_of(mails_to(active.bob.email)[-1])
    assert cal is not None
    text = cal.to_ical().decode()
    assert str(only_event(cal)["SUMMARY"]) == "Mediation session"  # type: ignore[index]
    assert "Alvarez" not in text and "12,500" not in text
    assert f"/cases/{cid(active)}/sessions/" in str(only_event(cal)["DESCRIPTION"])  # type: ignore[index]
    Api(active.maya).put(
        f"/cases/{cid(active)}/schedule", {"title_in_calendar": True, "reminder_hours": [24, 1]}
    )
    mail.outbox.clear()
    schedule(active, django_capture_on_commit_callbacks, start=berlin(days=9))
    cal = ics_of(mails_to(active.bob.email)[-1])
    assert cal is not None
    assert str(only_event(cal)["SUMMARY"]) == "Mediation session: Alvarez v. Brightline"  # type: ignore[index]


def feed_of(client: Client) -> str:
    page = client.get("/calendar/").content.decode()
    start = page.index("/calendar/", page.index('id="feed-url"'))
    return page[start : page.index('"', start)]


def test_r10_3_the_private_feed_lists_my_sessions_and_404s_once_revoked_or_regenerated(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    do_post_entry(
        acting_user=active.alice, case_id=cid(active), room_id=active.room("joint").pk, body=SECRET
    )
    side_a = active.participant(active.alice).side_id
    joint = schedule(active, django_capture_on_commit_callbacks)
    caucus = schedule(
        active, django_capture_on_commit_callbacks, kind="caucus", side=side_a, start=berlin(4)
    )
    bob, alice = Client(), Client()
    bob.force_login(active.bob)
    alice.force_login(active.alice)
    assert b'id="feed-url"' not in bob.get("/calendar/").content
    bob.post("/calendar/regenerate/")
    alice.post("/calendar/regenerate/")
    anyone = Client()
    bob_feed = anyone.get(feed_of(bob))
    assert bob_feed.status_code == 200 and bob_feed["Content-Type"].startswith("text/calendar")
    uids = {str(e["UID"]) for e in Calendar.from_ical(bob_feed.content).walk("VEVENT")}
    alice_uids = {
        str(e["UID"]) for e in Calendar.from_ical(anyone.get(feed_of(alice)).content).walk("VEVENT")
    }
    assert len(uids) == 1 and len(alice_uids) == 2  # Bob's feed lacks Alice's caucus
    assert joint["id"] != caucus["id"]
    assert SECRET.encode() not in bob_feed.content and b"Alvarez" not in bob_feed.content
    old = feed_of(bob)
    bob.post("/calendar/regenerate/")
    assert anyone.get(old).status_code == 404
    assert anyone.get(feed_of(bob)).status_code == 200
    current = feed_of(bob)
    bob.post("/calendar/revoke/")
    assert anyone.get(current).status_code == 404
    assert anyone.get("/calendar/not-a-token.ics").status_code == 404
