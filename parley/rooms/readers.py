"""Who can read a room, in plain words, from the policy's member list. Shown on every room
page and returned by the API with every room, so both say the same thing."""

from __future__ import annotations

from django.utils.translation import gettext as _

from parley.cases.access import CaseContext
from parley.cases.models import Participant
from parley.cases.policy import Role
from parley.rooms.models import Room
from parley.rooms.policy import RoomKind, members


def describe(p: Participant, me: Participant) -> str:
    name = {"name": p.display_name}
    if p.role == Role.MEDIATOR:
        return _("%(name)s (the mediator)") % name
    if p.role == Role.COUNSEL and p.side_id == me.side_id and me.role != Role.MEDIATOR:
        return _("%(name)s (your lawyer)") % name if me.role == Role.PARTY else p.display_name
    if p.role == Role.COUNSEL:
        return _("%(name)s (lawyer)") % name
    return p.display_name


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return _("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


def readers_sentence(ctx: CaseContext, me: Participant, room: Room) -> str:
    """Who can read this room right now, in plain words, from the policy's member list: one
    sentence naming the readers, then one naming who does not read it."""
    ids = members(ctx.room_refs[room.pk], ctx.people.values())
    # The reader's own side first, the mediator last: "you, your lawyer and the mediator".
    order = sorted(
        (i for i in ids if i != me.pk),
        key=lambda i: (ctx.participants[i].role == Role.MEDIATOR, i),
    )
    others = [describe(ctx.participants[i], me) for i in order]
    if room.kind == RoomKind.JOINT:
        return _("Everyone in the mediation sees this room.")
    if room.kind == RoomKind.NOTEBOOK:
        return _("Only you see this notebook. It is never exported, reported or shown to anyone.")
    if not others:
        who = _("Only you see this.")
    elif len(others) == 1:
        who = _("Only you and %(other)s see this.") % {"other": others[0]}
    else:
        who = _("Only you, %(others)s see this.") % {"others": _join(others)}
    if room.kind == RoomKind.COUNSEL:
        not_who = _("The mediator does not.")
    elif me.role == Role.MEDIATOR:
        not_who = _("The other side does not.")
    else:
        not_who = _("The other side does not, unless the mediator shares an entry you allow.")
    return f"{who} {not_who}"
