"""Reads in rooms. Every read asks rooms.policy; nothing here decides visibility itself."""

from __future__ import annotations

from parley.accounts.models import User
from parley.cases.access import CaseContext, access_case, load_context
from parley.cases.models import Participant
from parley.errors import NotFound
from parley.rooms.models import Entry, Room
from parley.rooms.policy import in_room, visible_rooms
from parley.rooms.serialize import ENTRY_RELATED

MAX_PAGE = 200


def my_rooms(ctx: CaseContext, me: Participant) -> list[Room]:
    refs = visible_rooms(ctx.person(me), ctx.room_refs.values())
    return [ctx.rooms[ref.id] for ref in refs]


def access_room(user: User, case_id: int, room_id: int) -> tuple[CaseContext, Participant, Room]:
    case, me = access_case(user, case_id)
    ctx = load_context(case)
    room = ctx.rooms.get(room_id)
    if room is None or not in_room(ctx.person(me), ctx.room_refs[room.pk]):
        raise NotFound()
    return ctx, me, room


def timeline(room: Room, *, after_id: int = 0, limit: int = 50) -> list[Entry]:
    """Entries with id > after_id, oldest first: a client resumes from its last id, no gaps.

    Precondition: the reader is in `room` (access_room)."""
    limit = max(1, min(limit, MAX_PAGE))
    return list(
        Entry.objects.filter(room=room, pk__gt=after_id)
        .select_related(*ENTRY_RELATED)
        .order_by("pk")[:limit]
    )


def latest(room: Room, *, limit: int = 50) -> list[Entry]:
    """The newest `limit` entries, oldest first (for a page's first render)."""
    rows = list(
        Entry.objects.filter(room=room).select_related(*ENTRY_RELATED).order_by("-pk")[:limit]
    )
    rows.reverse()
    return rows


def access_entry(user: User, case_id: int, entry_id: int) -> tuple[CaseContext, Participant, Entry]:
    case, me = access_case(user, case_id)
    ctx = load_context(case)
    entry = Entry.objects.select_related(*ENTRY_RELATED).filter(case=case, pk=entry_id).first()
    if entry is None or not in_room(ctx.person(me), ctx.room_refs[entry.room_id]):
        raise NotFound()
    return ctx, me, entry
