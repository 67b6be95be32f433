"""Reads in rooms. Every read asks rooms.policy; nothing here decides visibility itself."""

from __future__ import annotations

from django.utils import timezone

from parley.accounts.models import User
from parley.cases.access import CaseContext, access_case, load_context
from parley.cases.models import Invitation, InvitationStatus, Participant
from parley.cases.policy import Role
from parley.documents.models import Document
from parley.errors import NotFound
from parley.rooms.models import Entry, Room
from parley.rooms.policy import in_room, room_in_use, visible_rooms
from parley.rooms.serialize import ENTRY_RELATED

MAX_PAGE = 200


def my_rooms(ctx: CaseContext, me: Participant) -> list[Room]:
    refs = visible_rooms(ctx.person(me), ctx.room_refs.values())
    return [ctx.rooms[ref.id] for ref in refs]


def tab_rooms(ctx: CaseContext, me: Participant) -> list[Room]:
    """The rooms offered to `me` as tabs: my_rooms, less a counsel room while its side has no
    lawyer, in the case or invited (rooms.policy.room_in_use). Exports and access still
    follow my_rooms."""
    people = ctx.people.values()
    rooms = my_rooms(ctx, me)
    if all(room_in_use(ctx.room_refs[r.pk], people) for r in rooms):
        return rooms
    invited = set(
        Invitation.objects.filter(
            case=ctx.case,
            role=Role.COUNSEL,
            status=InvitationStatus.PENDING,
            expires_at__gt=timezone.now(),
        ).values_list("side_id", flat=True)
    )
    return [r for r in rooms if room_in_use(ctx.room_refs[r.pk], people, invited)]


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
    return earlier(room, limit=limit)[0]


def earlier(
    room: Room, *, before_id: int | None = None, limit: int = 50
) -> tuple[list[Entry], bool]:
    """The `limit` entries just before `before_id` (the newest ones when None), oldest first,
    and whether any older one is left: a page opens at the latest entry and pages back to the
    first, one query a page whatever the room's length (the (room, id) index).

    Precondition: the reader is in `room` (access_room)."""
    limit = max(1, min(limit, MAX_PAGE))
    rows = Entry.objects.filter(room=room)
    if before_id is not None:
        rows = rows.filter(pk__lt=before_id)
    page = list(rows.select_related(*ENTRY_RELATED).order_by("-pk")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    page.reverse()
    return page, more


def access_entry(user: User, case_id: int, entry_id: int) -> tuple[CaseContext, Participant, Entry]:
    case, me = access_case(user, case_id)
    ctx = load_context(case)
    entry = Entry.objects.select_related(*ENTRY_RELATED).filter(case=case, pk=entry_id).first()
    if entry is None or not in_room(ctx.person(me), ctx.room_refs[entry.room_id]):
        raise NotFound()
    return ctx, me, entry


ROOM_DOCUMENTS = 100


def room_documents(room: Room) -> list[Document]:
    """The documents in `room` (its own and the copies shared into it), newest first, with
    their entries' authors: one query. Precondition: the reader is in `room` (access_room)."""
    return list(
        Document.objects.filter(entry__room=room)
        .select_related("entry__author")
        .order_by("-entry_id")[:ROOM_DOCUMENTS]
    )
