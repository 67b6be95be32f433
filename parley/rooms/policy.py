"""Who sees, writes and moves what (R3, R4, R5.1). The one visibility policy.

Pure functions over small frozen dataclasses. Pages, the API, real-time recipient lists,
exports and reports all call these; there is no other way to decide visibility.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parley.cases.policy import SIDE_ROLES, CaseStatus, Role
from parley.errors import BadInput, DomainError, Forbidden, NotFound


class RoomKind(TextChoices):
    JOINT = "joint", gettext_lazy("Joint room")
    CAUCUS = "caucus", gettext_lazy("Caucus")
    COUNSEL = "counsel", gettext_lazy("Counsel room")
    NOTEBOOK = "notebook", gettext_lazy("Mediator's notebook")


class Instruction(TextChoices):
    MAY_DISCLOSE = "may_disclose", gettext_lazy("The mediator may share this")
    DO_NOT_DISCLOSE = "do_not_disclose", gettext_lazy("Do not disclose")


@dataclass(frozen=True)
class Person:
    """A participant as the policy sees them. `signed`: has signed the current agreement."""

    id: int
    role: Role
    side_id: int | None
    signed: bool


@dataclass(frozen=True)
class RoomRef:
    id: int
    kind: RoomKind
    side_id: int | None


@dataclass(frozen=True)
class EntryRef:
    id: int
    room: RoomRef
    author_role: Role | None  # None: a system entry
    is_copy: bool


@dataclass(frozen=True)
class CaseState:
    status: CaseStatus
    disclosures_pending: bool  # a later conflict disclosure not yet acknowledged by every party


def in_room(person: Person, room: RoomRef) -> bool:
    """R3.1–R3.4. Nobody who has not signed the current agreement is in any room (R2.2, R2.3)."""
    if not person.signed:
        return False
    if room.kind == RoomKind.JOINT:
        return True
    if room.kind == RoomKind.CAUCUS:
        if person.role == Role.MEDIATOR:
            return True
        return person.role in SIDE_ROLES and person.side_id == room.side_id
    if room.kind == RoomKind.COUNSEL:
        # Clause 4: the mediator is not in the room where a party talks to its own lawyer.
        return person.role in SIDE_ROLES and person.side_id == room.side_id
    if room.kind == RoomKind.NOTEBOOK:
        return person.role == Role.MEDIATOR
    return False


def members(room: RoomRef, people: Iterable[Person]) -> frozenset[int]:
    """Everyone who may read `room` right now: the recipient list for every read path."""
    return frozenset(p.id for p in people if in_room(p, room))


def can_see(person: Person, entry: EntryRef) -> bool:
    """R3.5: an entry is visible to exactly the members of its room. A shared copy is an entry
    of the room it was shared into, so it follows the same rule."""
    return in_room(person, entry.room)


def room_in_use(
    room: RoomRef, people: Iterable[Person], invited_counsel_sides: Iterable[int] = ()
) -> bool:
    """A side's counsel room is offered (as a tab) only once that side has a lawyer in the
    case or invited: with no lawyer coming, a party would be writing to no one. Reading it is
    still in_room's."""
    if room.kind != RoomKind.COUNSEL:
        return True
    if room.side_id in set(invited_counsel_sides):
        return True
    return any(p.role == Role.COUNSEL and p.side_id == room.side_id for p in people)


def visible_rooms(person: Person, rooms: Iterable[RoomRef]) -> list[RoomRef]:
    return [room for room in rooms if in_room(person, room)]


def check_content_open(state: CaseState) -> None:
    if state.status in (CaseStatus.SETUP, CaseStatus.SIGNING):
        raise DomainError(
            "case_not_active",
            _(
                "The mediation has not started: the mediator and every party must sign the "
                "agreement to mediate first."
            ),
        )
    if state.status == CaseStatus.ACTIVE and state.disclosures_pending:
        raise DomainError(
            "disclosure_unacknowledged",
            _(
                "The mediator has made a new conflict-of-interest disclosure. Every party must "
                "acknowledge it before the mediation goes on."
            ),
        )


def check_can_post(
    person: Person, room: RoomRef, state: CaseState, *, acknowledged_not_confidential: bool
) -> None:
    """R3, R5.1, R7.5. Raises NotFound for rooms the person cannot see."""
    if not in_room(person, room):
        raise NotFound()
    check_content_open(state)
    if state.status == CaseStatus.TERMINATED and not acknowledged_not_confidential:
        raise DomainError(
            "not_confidential_warning",
            _(
                "The mediation has ended. What you write now is NOT confidential and not "
                "privileged. Confirm to post it anyway."
            ),
        )


def is_privileged(status_at_write: CaseStatus) -> bool:
    """R5.1: everything written before termination is privileged; nothing after."""
    return status_at_write != CaseStatus.TERMINATED


def initial_instruction(
    room: RoomRef, author_role: Role | None, caucus_default: Instruction
) -> Instruction | None:
    """R4.1, R4.4: side members' caucus entries carry an instruction; the mediator's do not."""
    if room.kind != RoomKind.CAUCUS or author_role is None or author_role == Role.MEDIATOR:
        return None
    return caucus_default


def check_can_change_instruction(person: Person, entry: EntryRef) -> None:
    """R4.2: any member of the entry's side, at any time."""
    if not can_see(person, entry):
        raise NotFound()
    if (
        entry.room.kind != RoomKind.CAUCUS
        or entry.is_copy
        or entry.author_role in (None, Role.MEDIATOR)
    ):
        raise DomainError("no_instruction", _("This entry carries no disclosure instruction."))
    if person.role not in SIDE_ROLES or person.side_id != entry.room.side_id:
        raise Forbidden(
            "not_allowed",
            _("Only the side that wrote an entry decides whether it may be disclosed."),
        )


def check_can_share(
    person: Person,
    entry: EntryRef,
    target: RoomRef,
    instruction_now: Instruction | None,
    state: CaseState,
) -> None:
    """R4.3–R4.5: the mediator's share is the only way content moves between rooms."""
    if not can_see(person, entry):
        raise NotFound()
    if person.role != Role.MEDIATOR:
        raise Forbidden(
            "not_allowed",
            _("Only the mediator can share caucus content; nothing else moves between rooms."),
        )
    if not in_room(person, target):
        raise NotFound()
    check_content_open(state)
    if state.status == CaseStatus.TERMINATED:
        # R7.5: the end is final. The mediator's conveying between rooms is part of the
        # mediation (R4.3); after it, caucus content stays where its side left it.
        raise DomainError(
            "case_terminated",
            _("The mediation has ended: the mediator no longer passes anything between rooms."),
        )
    if entry.room.kind != RoomKind.CAUCUS or entry.is_copy or entry.author_role is None:
        # System notices (a party's termination declaration) carry no instruction the side
        # could set, so they are never passed on.
        raise DomainError(
            "not_shareable", _("Only an original caucus entry can be shared into another room.")
        )
    if target.kind == RoomKind.JOINT or (
        target.kind == RoomKind.CAUCUS and target.side_id != entry.room.side_id
    ):
        pass
    else:
        raise BadInput(
            "bad_target",
            _("A caucus entry can be shared into the joint room or another side's caucus."),
        )
    if instruction_now == Instruction.DO_NOT_DISCLOSE:
        raise DomainError(
            "disclosure_refused",
            _(
                "The side that wrote this entry said it must not be disclosed. Ask them to change "
                "the instruction if they want you to pass it on."
            ),
        )
