"""How rooms and entries read on a page, for one reader. Every question of who may see or do
what is asked of the rooms policy; this module only turns the answers into words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext, gettext_lazy

from parley.cases.access import CaseContext
from parley.cases.models import Participant
from parley.cases.policy import Role
from parley.errors import DomainError
from parley.rooms.entries import entry_ref
from parley.rooms.models import Entry, Room
from parley.rooms.policy import (
    Instruction,
    RoomKind,
    check_can_change_instruction,
    check_can_share,
    in_room,
    members,
    visible_rooms,
)

ROLE_WORDS = {
    Role.MEDIATOR: gettext_lazy("the mediator"),
    Role.PARTY: gettext_lazy("party"),
    Role.COUNSEL: gettext_lazy("lawyer"),
    Role.SUPPORT: gettext_lazy("support person"),
    Role.OBSERVER: gettext_lazy("observer"),
}


def room_tab_label(room: Room, me: Participant) -> str:
    """Short, from the reader's point of view: "Our caucus" reads better than a side label."""
    if room.kind == RoomKind.JOINT:
        return gettext("Joint room")
    if room.kind == RoomKind.NOTEBOOK:
        return gettext("My notebook")
    if room.kind == RoomKind.CAUCUS:
        if me.role == Role.MEDIATOR:
            return gettext("Caucus: %(side)s") % {"side": room.side.label if room.side else ""}
        return gettext("Our caucus with the mediator")
    if room.kind == RoomKind.COUNSEL:
        return gettext("Counsel room (no mediator)")
    return room.label


@dataclass
class EntryView:
    entry: Entry
    can_change_instruction: bool = False
    share_targets: list[tuple[int, str]] = field(default_factory=list)
    # The side said "do not disclose": no share form, and the page says why instead.
    share_withheld: bool = False
    # Where the mediator shared this original caucus entry, and when: (room label, time).
    shared_to: list[tuple[str, datetime]] = field(default_factory=list)
    error: str = ""
    notice: str = ""

    @property
    def id(self) -> int:
        return self.entry.pk


def share_target_label(ctx: CaseContext, room_id: int) -> str:
    """A room an entry is shared into, as its writer's side and the mediator read it."""
    room = ctx.rooms[room_id]
    if room.kind == RoomKind.CAUCUS and room.side is not None:
        return gettext("%(side)s's caucus") % {"side": room.side.label}
    return gettext("the joint room")


Copies = dict[int, list[tuple[int, datetime]]]


def copies_of(entries: Iterable[Entry]) -> Copies:
    """For each original caucus entry, the rooms its copies are in and when they were made:
    one query for a page of entries."""
    ids = [e.pk for e in entries if e.source_id is None and e.author_id is not None]
    found: Copies = {}
    if not ids:
        return found
    rows = (
        Entry.objects.filter(source_id__in=ids)
        .order_by("pk")
        .values_list("source_id", "room_id", "created_at")
    )
    for source_id, room_id, created_at in rows:
        found.setdefault(source_id, []).append((room_id, created_at))
    return found


def share_options(
    ctx: CaseContext, me: Participant, entry: Entry, already: Iterable[int] = ()
) -> tuple[list[tuple[int, str]], bool]:
    """The rooms the mediator may share an original caucus entry into right now (R4.3), each
    one asked of the policy, and whether it is the side's "do not disclose" that withholds them
    (the page then says so instead of offering a share the server would refuse)."""
    if me.role != Role.MEDIATOR or entry.source_id is not None or entry.author_id is None:
        return [], False
    ref = ctx.room_refs[entry.room_id]
    if ref.kind != RoomKind.CAUCUS or ctx.participants[entry.author_id].role == Role.MEDIATOR:
        return [], False
    person, shared = ctx.person(me), entry_ref(entry, ctx)
    instruction = Instruction(entry.instruction) if entry.instruction else None
    targets, withheld, there = [], False, set(already)
    for target in visible_rooms(person, ctx.room_refs.values()):
        if target.id in there:
            continue  # one copy per room: the entry says where it already is
        if target.kind == RoomKind.JOINT:
            label = gettext("the joint room (everyone)")
        elif target.kind == RoomKind.CAUCUS and target.side_id != ref.side_id:
            label = share_target_label(ctx, target.id)
        else:
            continue
        try:
            check_can_share(person, shared, target, instruction, ctx.state)
        except DomainError as refusal:
            withheld = withheld or refusal.code == "disclosure_refused"
            continue
        targets.append((target.id, label))
    return targets, withheld


def entry_views(ctx: CaseContext, me: Participant, entries: Iterable[Entry]) -> list[EntryView]:
    """A page of entries, in a fixed number of queries whatever its length."""
    rows = list(entries)
    copies = copies_of(rows)
    return [entry_view(ctx, me, e, copies=copies.get(e.pk, [])) for e in rows]


def entry_view(
    ctx: CaseContext,
    me: Participant,
    entry: Entry,
    *,
    copies: list[tuple[int, datetime]] | None = None,
    error: str = "",
    notice: str = "",
) -> EntryView:
    """Precondition: `me` may see `entry` (the caller went through the access helpers).
    `copies`: from copies_of, for a page; fetched here when not given."""
    person = ctx.person(me)
    assert in_room(person, ctx.room_refs[entry.room_id])
    try:
        check_can_change_instruction(person, entry_ref(entry, ctx))
        can_change = True
    except DomainError:
        can_change = False
    if copies is None:
        copies = copies_of([entry]).get(entry.pk, [])
    # Only the mediator shares (R4.3), into rooms the mediator reads; the note is read by the
    # original's room, the writer's side and the mediator, and names only where it went.
    targets, withheld = share_options(ctx, me, entry, already=[room for room, _ in copies])
    return EntryView(
        entry=entry,
        can_change_instruction=can_change,
        share_targets=targets,
        share_withheld=withheld,
        shared_to=[(share_target_label(ctx, room), at) for room, at in copies],
        error=error,
        notice=notice,
    )


def people_context(ctx: CaseContext, room: Room | None = None) -> list[dict[str, Any]]:
    """Who takes part and who signed (the lobby: everyone in the case). With `room`, only the
    people who read that room (the policy's member list): a caucus never lists, nor shows
    online, anyone from the other side."""
    sides = {s.pk: s.label for s in ctx.case.sides.all()}
    shown = (
        members(ctx.room_refs[room.pk], ctx.people.values())
        if room is not None
        else frozenset(ctx.participants)
    )
    return [
        {
            "p": p,
            "role": Role(p.role).label,
            "side": sides.get(p.side_id) if p.side_id else None,
            "signed": p.pk in ctx.signed_ids,
        }
        for p in ctx.participants.values()
        if p.pk in shown
    ]
