"""Helpers shared by the negotiation actions."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from parley.accounts.models import User
from parley.cases.access import CaseContext, load_context
from parley.cases.actions import lock_case
from parley.cases.models import Participant
from parley.cases.policy import CaseStatus
from parley.rooms.actions import do_post_entry
from parley.rooms.events import publish_entry
from parley.rooms.models import Entry, EntryKind, Room
from parley.rooms.policy import is_privileged


def locked(acting_user: User, case_id: int) -> tuple[CaseContext, Participant]:
    """Precondition: inside transaction.atomic(). Holds the case row lock until commit."""
    case, me = lock_case(acting_user, case_id)
    return load_context(case), me


def post_notice(ctx: CaseContext, room: Room, body: str) -> Entry:
    """A system entry in `room`, published to exactly the room's members.
    Precondition: the caller holds the case lock."""
    entry = Entry.objects.create(
        case=ctx.case,
        room=room,
        kind=EntryKind.SYSTEM,
        body=body,
        privileged=is_privileged(CaseStatus(ctx.case.status)),
        created_at=timezone.now(),
    )
    publish_entry(ctx, entry)
    return entry


def post_entry(ctx: CaseContext, acting_user: User, **kwargs: Any) -> Entry:
    """rooms.actions.do_post_entry inside our transaction (it re-takes the lock we hold, and
    checks R3/R5.1 through the rooms policy). It appends to the audit chain through its own copy
    of the case row, so ours is refreshed before we append the next event."""
    entry = do_post_entry(acting_user=acting_user, case_id=ctx.case.pk, **kwargs)
    ctx.case.refresh_from_db(fields=["audit_count", "audit_head"])
    return entry
