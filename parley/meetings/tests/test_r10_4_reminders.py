"""R10.4: reminders 24 h and 1 h before each session (per case), once per person, never for a
cancelled or moved-away time, never again after the worker restarts. The clock is controlled
with time-machine; the reminder job is the real periodic task."""

from __future__ import annotations

from datetime import datetime, timedelta

import time_machine
from django.core import mail

from parley.meetings.tests.helpers import Capture, berlin, schedule
from parley.notifications.tasks import send_due_reminders
from parley.testing import ActiveCast, Api, cid

INVITED = 4  # Maya, Alice, Bob, Carol


def reminders() -> list[str]:
    return sorted(a for m in mail.outbox if m.subject.startswith("Reminder") for a in m.to)


def run_at(moment: datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return int(send_due_reminders.call_local())  # type: ignore[attr-defined]


def test_r10_4_one_24_hour_and_one_1_hour_reminder_per_person(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    start = berlin(days=3)
    schedule(active, django_capture_on_commit_callbacks, start=start)
    mail.outbox.clear()
    assert run_at(start - timedelta(hours=25)) == 0
    assert run_at(start - timedelta(hours=24)) == INVITED
    assert len(reminders()) == INVITED
    for minutes in (1, 30, 60 * 5, 60 * 22):  # every later minute of the worker's loop
        assert run_at(start - timedelta(hours=24) + timedelta(minutes=minutes)) == 0
    assert run_at(start - timedelta(minutes=59)) == INVITED
    assert run_at(start - timedelta(minutes=30)) == 0
    assert run_at(start + timedelta(minutes=5)) == 0
    assert len(reminders()) == 2 * INVITED
    assert sorted(set(reminders())) == sorted(
        u.email for u in (active.maya, active.alice, active.bob, active.carol)
    )
    assert all(not m.attachments for m in mail.outbox)


def test_r10_4_none_again_after_the_worker_restarts(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    """What was sent is stored with the send, so a new worker (a fresh call of the job, with
    nothing kept in memory) finds it and sends nothing."""
    start = berlin(days=3)
    schedule(active, django_capture_on_commit_callbacks, start=start)
    mail.outbox.clear()
    assert run_at(start - timedelta(hours=2)) == INVITED
    assert run_at(start - timedelta(hours=2)) == 0
    assert len(reminders()) == INVITED


def test_r10_4_no_reminder_for_a_cancelled_session(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    start = berlin(days=3)
    session = schedule(active, django_capture_on_commit_callbacks, start=start)
    Api(active.maya).post(f"/cases/{cid(active)}/sessions/{session['id']}/cancel", {})
    mail.outbox.clear()
    for before in (timedelta(hours=24), timedelta(hours=1), timedelta(minutes=1)):
        assert run_at(start - before) == 0
    assert reminders() == []


def test_r10_4_a_moved_session_is_reminded_for_its_new_time_only(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    start = berlin(days=3)
    session = schedule(active, django_capture_on_commit_callbacks, start=start)
    assert run_at(start - timedelta(hours=24)) == INVITED
    later = start + timedelta(days=2)
    with time_machine.travel(start - timedelta(hours=20), tick=False):
        status, _ = Api(active.maya).post(
            f"/cases/{cid(active)}/sessions/{session['id']}/move",
            {
                "start": later.strftime("%Y-%m-%dT%H:%M"),
                "end": (later + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                "time_zone": "Europe/Berlin",
            },
        )
        assert status == 200
    mail.outbox.clear()
    assert run_at(start - timedelta(hours=1)) == 0  # the old time: nothing
    assert run_at(later - timedelta(hours=24)) == INVITED
    assert run_at(later - timedelta(hours=1)) == INVITED
    assert len(reminders()) == 2 * INVITED


def test_r10_4_the_case_setting_chooses_the_reminders(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    start = berlin(days=3)
    status, _ = Api(active.maya).put(
        f"/cases/{cid(active)}/schedule", {"title_in_calendar": False, "reminder_hours": [2]}
    )
    assert status == 200
    schedule(active, django_capture_on_commit_callbacks, start=start)
    mail.outbox.clear()
    assert run_at(start - timedelta(hours=24)) == 0
    assert run_at(start - timedelta(hours=2)) == INVITED
    assert run_at(start - timedelta(hours=1)) == 0
    assert (
        Api(active.maya).put(f"/cases/{cid(active)}/schedule", {"reminder_hours": [0]})[1]["code"]
        == "bad_reminders"
    )
