"""Who can read a room, in plain words, from the policy's member list. Shown on every room
page and returned by the API with every room, so both say the same thing."""

from __future__ import annotations

from parley.cases.access import CaseContext
from parley.cases.models import Participant
from parley.cases.policy import Role
from parley.rooms.models import Room
from parley.rooms.policy import RoomKind, members


def describe(p: Participant, me: Participant) -> str:
    if p.role == Role.MEDIATOR:
        return f"{p.display_name} (the mediator)"
    if p.role == Role.COUNSEL and p.side_id == me.side_id and me.role != Role.MEDIATOR:
        return f"{p.display_name} (your lawyer)" if me.role == Role.PARTY else p.display_name
    if p.role == Role.COUNSEL:
        return f"{p.display_name} (lawyer)"
    return p.display_name


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def readers_sentence(ctx: CaseContext, me: Participant, room: Room) -> str:
    """Who can read this room right now, in plain words, from the policy's member list."""
    ids = members(ctx.room_refs[room.pk], ctx.people.values())
    # The reader's own side first, the mediator last: "you, your lawyer and the mediator".
    order = sorted(
        (i for i in ids if i != me.pk),
        key=lambda i: (ctx.participants[i].role == Role.MEDIATOR, i),
    )
    others = [describe(ctx.participants[i], me) for i in order]
    if room.kind == RoomKind.JOINT:
        return "Everyone in the mediation sees this room."
    if room.kind == RoomKind.NOTEBOOK:
        return "Only you see this notebook. It is never exported, reported or shown to anyone."
    if not others:
        who = "Only you"
    elif len(others) == 1:
        who = f"Only you and {others[0]}"
    else:
        who = "Only you, " + _join(others)
    if room.kind == RoomKind.COUNSEL:
        return f"{who} see this. The mediator does not."
    if me.role == Role.MEDIATOR:
        return f"{who} see this. The other side does not."
    return (
        f"{who} see this. The other side does not, unless the mediator shares an entry you allow."
    )
