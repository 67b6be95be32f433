"""E-mail about new activity: to the room's members only, never with content (R3.6)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from django.core import mail

from parley.rooms.actions import do_post_entry
from parley.testing import Cast

Capture = Callable[..., AbstractContextManager[Any]]
SECRET = "Our bottom line is 7,000 and the boat stays with us"


def post(cast: Cast, user: Any, room: str, body: str, capture: Capture) -> None:
    assert cast.case is not None
    with capture(execute=True):
        do_post_entry(acting_user=user, case_id=cast.case.pk, room_id=cast.room(room).pk, body=body)


def test_r3_6_a_caucus_post_mails_the_rooms_other_members_only(
    active: Cast, django_capture_on_commit_callbacks: Capture
) -> None:
    mail.outbox.clear()
    post(active, active.alice, "caucus_a", SECRET, django_capture_on_commit_callbacks)
    to = sorted(address for m in mail.outbox for address in m.to)
    assert to == sorted([active.maya.email, active.carol.email])


def test_r3_6_the_activity_mail_names_the_room_and_carries_no_content(
    active: Cast, django_capture_on_commit_callbacks: Capture
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
    active: Cast, django_capture_on_commit_callbacks: Capture
) -> None:
    mail.outbox.clear()
    post(
        active, active.carol, "counsel_a", "Between us lawyers", django_capture_on_commit_callbacks
    )
    assert [m.to for m in mail.outbox] == [[active.alice.email]]


def test_a_busy_room_mails_each_person_once_per_window(
    active: Cast, django_capture_on_commit_callbacks: Capture
) -> None:
    mail.outbox.clear()
    for body in ("one", "two", "three"):
        post(active, active.alice, "joint", body, django_capture_on_commit_callbacks)
    post(active, active.bob, "joint", "four", django_capture_on_commit_callbacks)
    to = sorted(address for m in mail.outbox for address in m.to)
    # Alice's posts mailed Maya, Bob and Carol once; Bob's post then reached only Alice.
    assert to == sorted(u.email for u in (active.maya, active.bob, active.carol, active.alice))
