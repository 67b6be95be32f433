"""A person's private calendar feed (R10.3): one secret address, revocable and regenerable."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import translation

from parley.accounts.models import User
from parley.cases.access import load_context
from parley.cases.models import Participant
from parley.errors import NotFound
from parley.meetings.access import sessions_for
from parley.meetings.calendar import feed_ics
from parley.meetings.models import CalendarFeed, Session
from parley.meetings.queries import schedule_of


def do_regenerate_feed(*, acting_user: User) -> CalendarFeed:
    """A new secret address; the old one answers 404 from now on."""
    with transaction.atomic():
        CalendarFeed.objects.filter(user=acting_user).delete()
        return CalendarFeed.objects.create(user=acting_user, token=secrets.token_urlsafe(32))


def do_revoke_feed(*, acting_user: User) -> None:
    CalendarFeed.objects.filter(user=acting_user).delete()


def feed_of(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def feed_for_token(token: str) -> bytes:
    """The feed behind a secret address: the sessions its owner is invited to, through the
    same invitation rule as the pages. An unknown or revoked token is NotFound."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not token:
        raise NotFound()
    user = feed.user
    assert isinstance(user, User)
    items: list[tuple[Session, str | None]] = []
    for me in Participant.objects.filter(user=user).select_related("case"):
        ctx = load_context(me.case)
        title = me.case.title if schedule_of(me.case.pk).title_in_calendar else None
        items.extend((s, title) for s in sessions_for(ctx, me))
    # The feed is read by a calendar, not a browser: it speaks its owner's language.
    with translation.override(user.language):
        return feed_ics(items)
