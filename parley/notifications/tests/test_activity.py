"""E-mail about new activity: to the room's members only, never with content (R3.6)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from django.core import mail

from parley.rooms.actions import do_post_entry
from parley.testing import ActiveCast

Capture = Callable[..., AbstractContextManager[Any]]
SECRET = "Our bottom line is 7,000 and the boat stays with us"


def post(cast: ActiveCast, user: Any, room: str, body: str, capture: Capture) -> None:
    with capture(execute=True):
        do_post_entry(acting_user=user, case_id=cast.case.pk, room_id=cast.room(room).pk, body=body)


def test_r3_6_a_caucus_post_mails_the_rooms_other_members_only(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    mail.outbox.clear()
    post(active, active.alice, "caucus_a", SECRET, django_capture_on_commit_callbacks)
    to = sorted(address for m in mail.outbox for address in m.to)
    assert to == sorted([active.maya.email, active.carol.email])


def test_r3_6_the_activity_mail_names_the_room_and_carries_no_content(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    mail.outbox.clear()
    post(active, active.alice, "caucus_a", SECRET, django_capture_on_commit_callbacks)
    assert mail.outbox
    for message in mail.outbox:
        assert message.subject == "New activity in Caucus: Alice"
        text = message.subject + message.body
        for fragment in ("7,000", "bottom line", "boat"):
            assert fragment not in text
        assert "sign in to read it" in message.body.lower()


def test_r3_6_a_counsel_room_post_never_mails_the_mediator(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    mail.outbox.clear()
    post(
        active, active.carol, "counsel_a", "Between us lawyers", django_capture_on_commit_callbacks
    )
    assert [m.to for m in mail.outbox] == [[active.alice.email]]


def test_a_busy_room_mails_each_person_once_per_window(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    mail.outbox.clear()
    for body in ("one", "two", "three"):
        post(active, active.alice, "joint", body, django_capture_on_commit_callbacks)
    post(active, active.bob, "joint", "four", django_capture_on_commit_callbacks)
    to = sorted(address for m in mail.outbox for address in m.to)
    # Alice's posts mailed Maya, Bob and Carol once; Bob's post then reached only Alice.
    assert to == sorted(u.email for u in (active.maya, active.bob, active.carol, active.alice))


def run_jobs_due_in(seconds: int) -> None:
    """Run, here and now, the jobs the queue holds for `seconds` from now."""
    from datetime import UTC, datetime, timedelta

    from parley.notifications.queue import HUEY

    due = datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=seconds)
    for task in HUEY.read_schedule(due):
        HUEY.execute(task, due)


def test_r3_6_only_those_who_have_not_read_the_room_after_a_while_are_mailed(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture, settings: Any, client: Any
) -> None:
    settings.PARLEY_NOTIFY_UNREAD_SECONDS = 120
    mail.outbox.clear()
    post(
        active,
        active.alice,
        "joint",
        "Shall we start with the kitchen?",
        capture=django_capture_on_commit_callbacks,
    )
    post(
        active,
        active.alice,
        "joint",
        "And then the garden.",
        capture=django_capture_on_commit_callbacks,
    )
    assert mail.outbox == []  # nobody is mailed while the others may still be reading live

    client.force_login(active.bob)  # Bob has the room open and reads both entries
    assert (
        client.get(f"/cases/{active.case.pk}/rooms/{active.room('joint').pk}/").status_code == 200
    )

    run_jobs_due_in(60)
    assert mail.outbox == []
    run_jobs_due_in(121)
    to = sorted(address for m in mail.outbox for address in m.to)
    assert to == sorted([active.maya.email, active.carol.email])
