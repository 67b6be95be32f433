"""What the policy needs to know about a case (CaseContext), loaded in a fixed number of queries.

Imports only models and rules, so the cases and rooms apps alike build on it."""

from __future__ import annotations

from dataclasses import dataclass, field

from parley.agreements.models import (
    Agreement,
    ConflictDisclosure,
    DisclosureAcknowledgement,
    Signature,
)
from parley.cases.models import Case, Invitation, InvitationStatus, Participant
from parley.cases.policy import CaseStatus, Role
from parley.rooms.models import Room
from parley.rooms.policy import CaseState, Person, RoomKind, RoomRef, members


def current_agreement(case: Case) -> Agreement | None:
    return case.agreements.order_by("-version").first()


@dataclass
class CaseContext:
    """Everything the policy needs about a case, loaded in a fixed number of queries."""

    case: Case
    agreement: Agreement | None
    participants: dict[int, Participant]
    people: dict[int, Person]
    rooms: dict[int, Room]
    room_refs: dict[int, RoomRef]
    disclosures_pending: bool
    pending_party_invitations: int = 0
    signed_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def state(self) -> CaseState:
        return CaseState(CaseStatus(self.case.status), self.disclosures_pending)

    def person(self, participant: Participant) -> Person:
        return self.people[participant.pk]

    def joint_room(self) -> Room:
        return next(r for r in self.rooms.values() if r.kind == RoomKind.JOINT)

    def room_of(self, kind: RoomKind, side_id: int | None) -> Room:
        return next(r for r in self.rooms.values() if r.kind == kind and r.side_id == side_id)

    def recipients(self, room_id: int) -> list[int]:
        ref = self.room_refs[room_id]
        return sorted(members(ref, self.people.values()))

    def everyone(self) -> list[int]:
        return sorted(self.people)

    def side_labels(self) -> dict[int, str]:
        """Every side has its caucus room, loaded with its side."""
        return {r.side.pk: r.side.label for r in self.rooms.values() if r.side is not None}

    def parties(self) -> list[Participant]:
        return [p for p in self.participants.values() if p.role == Role.PARTY]


def load_context(case: Case) -> CaseContext:
    agreement = current_agreement(case)
    signed_ids: frozenset[int] = frozenset()
    if agreement is not None and agreement.issued_at is not None:
        signed_ids = frozenset(
            Signature.objects.filter(agreement=agreement).values_list("participant_id", flat=True)
        )
    participants = {
        p.pk: p for p in Participant.objects.filter(case=case).select_related("side", "user")
    }
    people = {
        pk: Person(pk, Role(p.role), p.side_id, pk in signed_ids) for pk, p in participants.items()
    }
    rooms = {r.pk: r for r in Room.objects.filter(case=case).select_related("side")}
    room_refs = {pk: RoomRef(pk, RoomKind(r.kind), r.side_id) for pk, r in rooms.items()}
    party_ids = [pk for pk, p in participants.items() if p.role == Role.PARTY]
    needing = list(
        ConflictDisclosure.objects.filter(case=case, needs_acknowledgement=True).values_list(
            "pk", flat=True
        )
    )
    pending = False
    if needing:
        acks = set(
            DisclosureAcknowledgement.objects.filter(disclosure_id__in=needing).values_list(
                "disclosure_id", "participant_id"
            )
        )
        pending = any((d, p) not in acks for d in needing for p in party_ids)
    pending_parties = 0
    if case.status in (CaseStatus.SETUP, CaseStatus.SIGNING):
        # Only activation asks; parties are fixed once the agreement is issued.
        pending_parties = Invitation.objects.filter(
            case=case, role=Role.PARTY, status=InvitationStatus.PENDING
        ).count()
    return CaseContext(
        case=case,
        agreement=agreement,
        participants=participants,
        people=people,
        rooms=rooms,
        room_refs=room_refs,
        disclosures_pending=pending,
        pending_party_invitations=pending_parties,
        signed_ids=signed_ids,
    )
