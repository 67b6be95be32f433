"""Who may open which audit event (R9.1, R3.6, R8.3, R7.1): one pure rule over the event's
audience, asked by every path that shows the chain.

Every participant gets every link of the chain (sequence number, commitment, previous hash,
hash) and so can check order, completeness and that nothing was edited. The record behind a
commitment (kind, actor, subject, time, content hashes) is opened only to the event's
audience: the readers of the room it happened in, the bidding side for its sealed figure, and
so on. Nobody who has not signed opens anything (R2.3)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from parley.cases.policy import SIDE_ROLES, Role
from parley.rooms.policy import Person, RoomRef, in_room


@dataclass(frozen=True)
class Audience:
    """Who an event is about. `rooms`: the readers of any of these rooms (R3: a caucus includes
    the mediator, a counsel room does not); `people`: these participants (a person's own
    poll answers, R10.2); `offer`: whoever can see that offer now, in its
    own room or any room the mediator shared it into (R4.3); `side`: that side's signed members and no one else,
    not even the mediator (a sealed bid, R8.3); `mediator`: the mediator; `everyone`: every
    signed participant (case-wide events). Nothing set: no participant (the operator's
    `parley audit verify` still checks it)."""

    rooms: tuple[int, ...] = ()
    people: tuple[int, ...] = ()
    offer: int | None = None
    side: int | None = None
    mediator: bool = False
    everyone: bool = False

    def as_record(self) -> dict[str, Any]:
        """The audience as committed in the event's record (canonical: sorted, no defaults)."""
        if self.everyone:
            return {"everyone": True}
        out: dict[str, Any] = {}
        if self.rooms:
            out["rooms"] = sorted(set(self.rooms))
        if self.people:
            out["people"] = sorted(set(self.people))
        if self.offer is not None:
            out["offer"] = self.offer
        if self.side is not None:
            out["side"] = self.side
        if self.mediator:
            out["mediator"] = True
        return out

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> Audience:
        return cls(
            rooms=tuple(int(r) for r in data.get("rooms", ())),
            people=tuple(int(p) for p in data.get("people", ())),
            offer=int(data["offer"]) if data.get("offer") is not None else None,
            side=int(data["side"]) if data.get("side") is not None else None,
            mediator=bool(data.get("mediator", False)),
            everyone=bool(data.get("everyone", False)),
        )


EVERYONE = Audience(everyone=True)
MEDIATOR = Audience(mediator=True)


def room_readers(room_ids: Iterable[int]) -> Audience:
    return Audience(rooms=tuple(sorted(set(room_ids))))


def offer_readers(offer_id: int) -> Audience:
    return Audience(offer=offer_id)


def side_only(side_id: int) -> Audience:
    return Audience(side=side_id)


def can_open(
    person: Person,
    audience: Audience,
    rooms: Mapping[int, RoomRef],
    offer_rooms: Mapping[int, Iterable[int]],
) -> bool:
    """Whether `person` may open an event with this audience: exactly those who may see what
    the event is about, by the one room policy (rooms.policy.in_room). `offer_rooms`: each
    offer's rooms (its own and those it was shared into), as negotiation.access computes."""
    if not person.signed:
        return False
    if audience.everyone:
        return True
    if audience.mediator and person.role == Role.MEDIATOR:
        return True
    if person.id in audience.people:
        return True
    if audience.side is not None and person.role in SIDE_ROLES and person.side_id == audience.side:
        return True
    room_ids = list(audience.rooms)
    if audience.offer is not None:
        room_ids.extend(offer_rooms.get(audience.offer, ()))
    return any(r in rooms and in_room(person, rooms[r]) for r in room_ids)
