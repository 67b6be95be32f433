"""Mails are written in their reader's language (the profile's), not the writer's."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from django.core import mail

from parley.notifications.tasks import remind_unsigned
from parley.rooms.actions import do_post_entry
from parley.testing import ActiveCast, Cast, build_case, cid

Capture = Callable[..., AbstractContextManager[Any]]


def test_each_reader_gets_the_activity_mail_in_their_own_language(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    active.bob.language = "de"
    active.bob.save(update_fields=["language"])
    active.alice.language = "es"
    active.alice.save(update_fields=["language"])
    mail.outbox.clear()
    # Maya writes in English; each reader gets the mail in their own language.
    with django_capture_on_commit_callbacks(execute=True):
        do_post_entry(
            acting_user=active.maya,
            case_id=cid(active),
            room_id=active.room("joint").pk,
            body="Welcome.",
        )
    by_reader = {m.to[0]: m for m in mail.outbox}
    bob, alice, carol = (by_reader[u.email] for u in (active.bob, active.alice, active.carol))
    assert bob.subject == "Neues in Gemeinsamer Raum"
    assert "Melden Sie sich an, um es zu lesen" in bob.body
    assert alice.subject == "Novedades en Sala conjunta"
    assert "Inicie sesión para leerlas" in alice.body
    assert carol.subject == "New activity in Joint room"


def test_bob_in_german_is_reminded_to_sign_in_german(cast: Cast) -> None:
    cast = build_case(cast, stage="signing")
    cast.bob.language = "de"
    cast.bob.save(update_fields=["language"])
    mail.outbox.clear()
    remind_unsigned(cid(cast))
    by_reader = {m.to[0]: m for m in mail.outbox}
    bob = by_reader[cast.bob.email]
    assert bob.subject == "Bitte unterschreiben Sie die Mediationsvereinbarung"
    assert "wartet auf Ihre Unterschrift unter der Mediationsvereinbarung" in bob.body
    assert "Parley nie in eine E-Mail" in bob.body
    assert by_reader[cast.alice.email].subject == "Please sign the agreement to mediate"
