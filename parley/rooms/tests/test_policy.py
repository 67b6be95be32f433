"""The visibility policy as tables, without a database (R3, R4, R5.1)."""

from __future__ import annotations

import pytest

from parley.cases.policy import CaseStatus, Role
from parley.errors import DomainError, NotFound
from parley.rooms.policy import (
    CaseState,
    EntryRef,
    Instruction,
    Person,
    RoomKind,
    RoomRef,
    check_can_change_instruction,
    check_can_post,
    check_can_share,
    in_room,
    initial_instruction,
    is_privileged,
    members,
)

A, B = 1, 2  # side ids
MAYA = Person(10, Role.MEDIATOR, None, True)
ALICE = Person(11, Role.PARTY, A, True)
BOB = Person(12, Role.PARTY, B, True)
CAROL = Person(13, Role.COUNSEL, A, True)
SAM = Person(14, Role.SUPPORT, A, True)
OSCAR = Person(15, Role.OBSERVER, None, True)
CAROL_UNSIGNED = Person(16, Role.COUNSEL, A, False)
EVERYONE = [MAYA, ALICE, BOB, CAROL, SAM, OSCAR, CAROL_UNSIGNED]

JOINT = RoomRef(100, RoomKind.JOINT, None)
CAUCUS_A = RoomRef(101, RoomKind.CAUCUS, A)
CAUCUS_B = RoomRef(102, RoomKind.CAUCUS, B)
COUNSEL_A = RoomRef(103, RoomKind.COUNSEL, A)
COUNSEL_B = RoomRef(104, RoomKind.COUNSEL, B)
NOTEBOOK = RoomRef(105, RoomKind.NOTEBOOK, None)

ACTIVE = CaseState(CaseStatus.ACTIVE, disclosures_pending=False)
ENDED = CaseState(CaseStatus.TERMINATED, disclosures_pending=False)

MEMBERS = {
    JOINT: {MAYA, ALICE, BOB, CAROL, SAM, OSCAR},
    CAUCUS_A: {MAYA, ALICE, CAROL, SAM},
    CAUCUS_B: {MAYA, BOB},
    COUNSEL_A: {ALICE, CAROL, SAM},
    COUNSEL_B: {BOB},
    NOTEBOOK: {MAYA},
}


@pytest.mark.parametrize("room", list(MEMBERS), ids=lambda r: f"{r.kind}-{r.side_id}")
def test_r3_1_to_r3_4_each_room_has_exactly_its_members(room: RoomRef) -> None:
    assert members(room, EVERYONE) == frozenset(p.id for p in MEMBERS[room])


def test_r3_3_the_mediator_is_not_in_any_counsel_room() -> None:
    assert not in_room(MAYA, COUNSEL_A)
    assert not in_room(MAYA, COUNSEL_B)


def test_r2_3_an_unsigned_person_is_in_no_room() -> None:
    for room in MEMBERS:
        assert not in_room(CAROL_UNSIGNED, room)


def test_r3_6_posting_in_a_room_one_cannot_see_looks_like_a_missing_room() -> None:
    with pytest.raises(NotFound):
        check_can_post(BOB, CAUCUS_A, ACTIVE, acknowledged_not_confidential=False)
    with pytest.raises(NotFound):
        check_can_post(MAYA, COUNSEL_A, ACTIVE, acknowledged_not_confidential=False)


@pytest.mark.parametrize(
    ("status", "pending", "code"),
    [
        (CaseStatus.SETUP, False, "case_not_active"),
        (CaseStatus.SIGNING, False, "case_not_active"),
        (CaseStatus.ACTIVE, True, "disclosure_unacknowledged"),
        (CaseStatus.TERMINATED, False, "not_confidential_warning"),
    ],
)
def test_posting_is_refused_with_a_stable_code(
    status: CaseStatus, pending: bool, code: str
) -> None:
    with pytest.raises(DomainError) as refused:
        check_can_post(
            ALICE, JOINT, CaseState(status, pending), acknowledged_not_confidential=False
        )
    assert refused.value.code == code


def test_r5_1_after_termination_posting_needs_the_not_confidential_acknowledgement() -> None:
    check_can_post(ALICE, JOINT, ENDED, acknowledged_not_confidential=True)
    assert is_privileged(CaseStatus.ACTIVE) is True
    assert is_privileged(CaseStatus.TERMINATED) is False


@pytest.mark.parametrize(
    ("room", "author", "default", "expected"),
    [
        (CAUCUS_A, Role.PARTY, Instruction.MAY_DISCLOSE, Instruction.MAY_DISCLOSE),
        (CAUCUS_A, Role.COUNSEL, Instruction.DO_NOT_DISCLOSE, Instruction.DO_NOT_DISCLOSE),
        (CAUCUS_A, Role.MEDIATOR, Instruction.MAY_DISCLOSE, None),
        (JOINT, Role.PARTY, Instruction.MAY_DISCLOSE, None),
        (COUNSEL_A, Role.PARTY, Instruction.MAY_DISCLOSE, None),
    ],
)
def test_r4_1_and_r4_4_which_entries_carry_an_instruction(
    room: RoomRef, author: Role, default: Instruction, expected: Instruction | None
) -> None:
    assert initial_instruction(room, author, default) == expected


ALICE_CAUCUS_ENTRY = EntryRef(1, CAUCUS_A, Role.PARTY, is_copy=False)
MAYA_CAUCUS_ENTRY = EntryRef(2, CAUCUS_A, Role.MEDIATOR, is_copy=False)
JOINT_ENTRY = EntryRef(3, JOINT, Role.PARTY, is_copy=False)
COPY_IN_B = EntryRef(4, CAUCUS_B, Role.PARTY, is_copy=True)
SYSTEM_NOTICE = EntryRef(5, CAUCUS_A, None, is_copy=False)


@pytest.mark.parametrize(
    ("who", "entry", "outcome"),
    [
        (ALICE, ALICE_CAUCUS_ENTRY, "ok"),
        (CAROL, ALICE_CAUCUS_ENTRY, "ok"),
        (SAM, ALICE_CAUCUS_ENTRY, "ok"),
        (MAYA, ALICE_CAUCUS_ENTRY, "not_allowed"),
        (BOB, ALICE_CAUCUS_ENTRY, "not_found"),
        (OSCAR, ALICE_CAUCUS_ENTRY, "not_found"),
        (ALICE, MAYA_CAUCUS_ENTRY, "no_instruction"),
        (ALICE, JOINT_ENTRY, "no_instruction"),
        (BOB, COPY_IN_B, "no_instruction"),
    ],
)
def test_r4_2_who_may_change_an_instruction(who: Person, entry: EntryRef, outcome: str) -> None:
    if outcome == "ok":
        check_can_change_instruction(who, entry)
        return
    with pytest.raises(DomainError) as refused:
        check_can_change_instruction(who, entry)
    assert refused.value.code == outcome


@pytest.mark.parametrize(
    ("who", "entry", "target", "instruction", "outcome"),
    [
        (MAYA, ALICE_CAUCUS_ENTRY, JOINT, Instruction.MAY_DISCLOSE, "ok"),
        (MAYA, ALICE_CAUCUS_ENTRY, CAUCUS_B, Instruction.MAY_DISCLOSE, "ok"),
        (MAYA, ALICE_CAUCUS_ENTRY, JOINT, Instruction.DO_NOT_DISCLOSE, "disclosure_refused"),
        (MAYA, ALICE_CAUCUS_ENTRY, CAUCUS_B, Instruction.DO_NOT_DISCLOSE, "disclosure_refused"),
        (MAYA, MAYA_CAUCUS_ENTRY, JOINT, None, "ok"),
        (MAYA, ALICE_CAUCUS_ENTRY, CAUCUS_A, Instruction.MAY_DISCLOSE, "bad_target"),
        (MAYA, ALICE_CAUCUS_ENTRY, NOTEBOOK, Instruction.MAY_DISCLOSE, "bad_target"),
        (MAYA, ALICE_CAUCUS_ENTRY, COUNSEL_B, Instruction.MAY_DISCLOSE, "not_found"),
        (MAYA, JOINT_ENTRY, CAUCUS_B, None, "not_shareable"),
        (MAYA, COPY_IN_B, JOINT, None, "not_shareable"),
        (MAYA, SYSTEM_NOTICE, JOINT, None, "not_shareable"),
        (ALICE, ALICE_CAUCUS_ENTRY, JOINT, Instruction.MAY_DISCLOSE, "not_allowed"),
        (CAROL, ALICE_CAUCUS_ENTRY, COUNSEL_A, Instruction.MAY_DISCLOSE, "not_allowed"),
        (BOB, ALICE_CAUCUS_ENTRY, JOINT, Instruction.MAY_DISCLOSE, "not_found"),
    ],
)
def test_r4_3_and_r4_5_the_mediators_share_is_the_only_way_between_rooms(
    who: Person, entry: EntryRef, target: RoomRef, instruction: Instruction | None, outcome: str
) -> None:
    if outcome == "ok":
        check_can_share(who, entry, target, instruction, ACTIVE)
        return
    with pytest.raises(DomainError) as refused:
        check_can_share(who, entry, target, instruction, ACTIVE)
    assert refused.value.code == outcome
