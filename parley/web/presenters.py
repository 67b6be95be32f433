"""How rooms and entries read on a page, for one reader. Every question of who may see or do
what is asked of the rooms policy; this module only turns the answers into words."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
    visible_rooms,
)

ROLE_WORDS = {
    Role.MEDIATOR: "the mediator",
    Role.PARTY: "party",
    Role.COUNSEL: "lawyer",
    Role.SUPPORT: "support person",
    Role.OBSERVER: "observer",
}


def room_tab_label(room: Room, me: Participant) -> str:
    """Short, from the reader's point of view: "Our caucus" reads better than a side label."""
    if room.kind == RoomKind.JOINT:
        return "Joint room"
    if room.kind == RoomKind.NOTEBOOK:
        return "My notebook"
    if room.kind == RoomKind.CAUCUS:
        if me.role == Role.MEDIATOR:
            return f"Caucus: {room.side.label if room.side else ''}"
        return "Our caucus with the mediator"
    if room.kind == RoomKind.COUNSEL:
        return "Counsel room (no mediator)"
    return room.label


@dataclass
class EntryView:
    entry: Entry
    can_change_instruction: bool = False
    share_targets: list[tuple[int, str]] = field(default_factory=list)
    # The side said "do not disclose": no share form, and the page says why instead.
    share_withheld: bool = False
    error: str = ""
    notice: str = ""

    @property
    def id(self) -> int:
        return self.entry.pk


def share_options(
    ctx: CaseContext, me: Participant, entry: Entry
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
    targets, withheld = [], False
    for target in visible_rooms(person, ctx.room_refs.values()):
        if target.kind == RoomKind.JOINT:
            label = "the joint room (everyone)"
        elif target.kind == RoomKind.CAUCUS and target.side_id != ref.side_id:
            room = ctx.rooms[target.id]
            label = f"{room.side.label if room.side else ''}'s caucus"
        else:
            continue
        try:
            check_can_share(person, shared, target, instruction, ctx.state)
        except DomainError as refusal:
            withheld = withheld or refusal.code == "disclosure_refused"
            continue
        targets.append((target.id, label))
    return targets, withheld


def entry_view(ctx: CaseContext, me: Participant, entry: Entry, **extra: str) -> EntryView:
    """Precondition: `me` may see `entry` (the caller went through the access helpers)."""
    person = ctx.person(me)
    assert in_room(person, ctx.room_refs[entry.room_id])
    try:
        check_can_change_instruction(person, entry_ref(entry, ctx))
        can_change = True
    except DomainError:
        can_change = False
    targets, withheld = share_options(ctx, me, entry)
    return EntryView(
        entry=entry,
        can_change_instruction=can_change,
        share_targets=targets,
        share_withheld=withheld,
        **extra,
    )


def people_context(ctx: CaseContext) -> list[dict[str, Any]]:
    sides = {s.pk: s.label for s in ctx.case.sides.all()}
    return [
        {
            "p": p,
            "role": Role(p.role).label,
            "side": sides.get(p.side_id) if p.side_id else None,
            "signed": p.pk in ctx.signed_ids,
        }
        for p in ctx.participants.values()
    ]
