"""The negotiation rules as pure tables (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from parley.cases.policy import CaseStatus, Role
from parley.errors import BadInput, DomainError, Forbidden, NotFound
from parley.negotiation.policy import (
    Margin,
    MarginKind,
    OfferStatus,
    check_bidding_config,
    check_can_answer,
    check_can_bid,
    check_can_make_offer,
    check_can_sign_settlement,
    check_can_withdraw,
    check_issue_ratings,
    check_item_points,
    effective_status,
    everyone_signed,
    midpoint,
    outcome_after_answer,
    parse_amount,
    required_sides,
    settle_round,
    settlement_is_confidential,
)
from parley.rooms.policy import CaseState, Person, RoomKind, RoomRef

ACTIVE = CaseState(CaseStatus.ACTIVE, False)
ENDED = CaseState(CaseStatus.TERMINATED, False)
MAYA = Person(1, Role.MEDIATOR, None, True)
ALICE = Person(2, Role.PARTY, 10, True)
BOB = Person(3, Role.PARTY, 20, True)
CAROL = Person(4, Role.COUNSEL, 10, True)
JOINT = RoomRef(100, RoomKind.JOINT, None)
CAUCUS_A = RoomRef(101, RoomKind.CAUCUS, 10)
CAUCUS_B = RoomRef(102, RoomKind.CAUCUS, 20)
COUNSEL_A = RoomRef(103, RoomKind.COUNSEL, 10)
PCT30 = Margin(MarginKind.PERCENT, Decimal(30))

D = Decimal


@pytest.mark.parametrize(
    ("offer", "demand", "margin", "expected"),
    [
        # crossing bids settle at the midpoint
        (D("12000.00"), D("10000.00"), PCT30, D("11000.00")),
        (D("10000.00"), D("10000.00"), PCT30, D("10000.00")),
        (D("1000.01"), D("1000.00"), Margin(MarginKind.PERCENT, D(0)), D("1000.01")),
        # within the margin by percent of the demand (30% of 10,000 is 3,000)
        (D("7500.00"), D("10000.00"), PCT30, D("8750.00")),
        (D("7000.00"), D("10000.00"), PCT30, D("8500.00")),
        (D("6999.99"), D("10000.00"), PCT30, None),
        (D("9000.00"), D("10000.00"), Margin(MarginKind.PERCENT, D(10)), D("9500.00")),
        (D("8999.99"), D("10000.00"), Margin(MarginKind.PERCENT, D(10)), None),
        # within a fixed sum
        (D("9500.00"), D("10000.00"), Margin(MarginKind.FIXED, D(500)), D("9750.00")),
        (D("9499.99"), D("10000.00"), Margin(MarginKind.FIXED, D(500)), None),
        (D("9999.99"), D("10000.00"), Margin(MarginKind.FIXED, D(0)), None),
    ],
)
def test_r8_3_a_round_settles_at_the_midpoint_when_bids_cross_or_fall_within_the_margin(
    offer: Decimal, demand: Decimal, margin: Margin, expected: Decimal | None
) -> None:
    assert settle_round(offer, demand, margin) == expected


@pytest.mark.parametrize(
    ("demand", "margin_of"),
    [
        (D("10000.00"), D("5000.00")),  # 30 % is 3,000: the fixed sum is greater
        (D("20000.00"), D("6000.00")),  # 30 % is 6,000: the percent is greater
        (D("16666.67"), D("5000.00")),  # 30 % is 5,000.001: greater, by a tenth of a cent
    ],
)
def test_r8_3_whichever_is_greater_takes_the_larger_of_the_percent_and_the_fixed_sum(
    demand: Decimal, margin_of: Decimal
) -> None:
    margin = Margin(MarginKind.GREATER, D(30), D(5000))
    assert margin.of(demand) >= margin_of
    assert margin.of(demand) - margin_of < D("0.01")
    assert settle_round(demand - margin_of, demand, margin) is not None
    assert settle_round(demand - margin_of - D("0.01"), demand, margin) is None


def test_r8_3_a_whichever_is_greater_margin_checks_both_parts() -> None:
    with pytest.raises(BadInput):
        check_bidding_config(3, Margin(MarginKind.GREATER, D(101), D(5000)))
    with pytest.raises(BadInput):
        check_bidding_config(3, Margin(MarginKind.GREATER, D(30), D(-1)))


def test_r8_3_a_payer_may_offer_0() -> None:
    assert parse_amount("0", "EUR", allow_zero=True) == D("0.00")
    assert parse_amount("0.00", "EUR", allow_zero=True) == D("0.00")
    with pytest.raises(BadInput):
        parse_amount("-0.01", "EUR", allow_zero=True)
    with pytest.raises(BadInput):
        parse_amount("0", "EUR")


def test_r8_3_the_midpoint_is_rounded_half_up_to_the_cent() -> None:
    assert midpoint(D("0.01"), D("0.02")) == D("0.02")


@pytest.mark.parametrize("rounds", [0, 11])
def test_r8_3_rounds_are_between_one_and_ten(rounds: int) -> None:
    with pytest.raises(BadInput):
        check_bidding_config(rounds, PCT30)


def test_r8_3_a_percent_margin_is_at_most_100() -> None:
    with pytest.raises(BadInput):
        check_bidding_config(3, Margin(MarginKind.PERCENT, D(101)))


@pytest.mark.parametrize(
    "raw", ["", "abc", "0", "-5", "1.234", "1e400", "NaN", "Infinity", "7654.321", "-7654.32"]
)
def test_bad_sums_are_refused_without_repeating_them(raw: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_amount(raw, "EUR")
    assert "7654" not in caught.value.detail


def test_sums_may_carry_thousands_separators() -> None:
    assert parse_amount("12,500.5", "EUR") == D("12500.50")


def test_r6_2_the_mediator_never_bids() -> None:
    with pytest.raises(Forbidden):
        check_can_bid(MAYA, 10, 20)


def test_r8_3_a_side_outside_the_bidding_cannot_bid() -> None:
    check_can_bid(CAROL, 10, 20)
    with pytest.raises(Forbidden):
        check_can_bid(Person(9, Role.PARTY, 30, True), 10, 20)


@pytest.mark.parametrize(
    ("person", "room", "error"),
    [
        (ALICE, JOINT, None),
        (ALICE, CAUCUS_A, None),
        (CAROL, CAUCUS_A, None),
        (ALICE, CAUCUS_B, NotFound),
        (ALICE, COUNSEL_A, BadInput),
        (MAYA, JOINT, Forbidden),
        (Person(2, Role.PARTY, 10, False), JOINT, NotFound),
    ],
)
def test_r8_1_offers_are_made_in_the_joint_room_or_the_own_caucus(
    person: Person, room: RoomRef, error: type[Exception] | None
) -> None:
    if error is None:
        check_can_make_offer(person, room, ACTIVE)
    else:
        with pytest.raises(error):
            check_can_make_offer(person, room, ACTIVE)


def test_r7_5_no_offer_after_termination() -> None:
    with pytest.raises(DomainError) as caught:
        check_can_make_offer(ALICE, JOINT, ENDED)
    assert caught.value.code == "case_terminated"


def test_r6_2_the_mediator_cannot_accept_an_offer() -> None:
    with pytest.raises(Forbidden) as caught:
        check_can_answer(MAYA, 10, OfferStatus.OPEN)
    assert caught.value.code == "mediator_never_decides"


def test_r8_2_counsel_does_not_accept_for_the_party() -> None:
    with pytest.raises(Forbidden):
        check_can_answer(CAROL, 20, OfferStatus.OPEN)


def test_r8_2_a_side_does_not_answer_its_own_offer() -> None:
    with pytest.raises(DomainError):
        check_can_answer(ALICE, 10, OfferStatus.OPEN)


def test_r8_2_only_the_offering_side_withdraws() -> None:
    check_can_withdraw(CAROL, 10, OfferStatus.OPEN)
    with pytest.raises(Forbidden):
        check_can_withdraw(BOB, 10, OfferStatus.OPEN)


@pytest.mark.parametrize(
    ("accepted", "rejected", "status"),
    [
        (set(), set(), OfferStatus.OPEN),
        ({20}, set(), OfferStatus.OPEN),
        ({20, 30}, set(), OfferStatus.ACCEPTED),
        ({20}, {30}, OfferStatus.REJECTED),
    ],
)
def test_r8_2_an_offer_is_accepted_when_every_other_party_accepts(
    accepted: set[int], rejected: set[int], status: OfferStatus
) -> None:
    required = required_sides([10, 20, 30], 10)
    assert outcome_after_answer(required, frozenset(accepted), frozenset(rejected)) == status


def test_r8_4_a_proposal_needs_every_party() -> None:
    assert required_sides([10, 20], None) == {10, 20}


def test_r8_2_an_open_offer_expires_and_closes_at_termination() -> None:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    past, future = now - timedelta(seconds=1), now + timedelta(days=1)
    assert effective_status(OfferStatus.OPEN, past, now, CaseStatus.ACTIVE) == OfferStatus.EXPIRED
    assert effective_status(OfferStatus.OPEN, future, now, CaseStatus.ACTIVE) == OfferStatus.OPEN
    assert effective_status(OfferStatus.OPEN, None, now, CaseStatus.TERMINATED) == (
        OfferStatus.CLOSED
    )
    assert effective_status(OfferStatus.ACCEPTED, past, now, CaseStatus.TERMINATED) == (
        OfferStatus.ACCEPTED
    )


def test_r8_4_ratings_spread_100_points() -> None:
    check_issue_ratings([2, 3], [60, 40], [[100, 0], [0, 50, 100]])
    with pytest.raises(BadInput):
        check_issue_ratings([2, 3], [60, 41], [[100, 0], [0, 50, 100]])
    with pytest.raises(BadInput):
        check_issue_ratings([2, 3], [60, 40], [[101, 0], [0, 50, 100]])
    with pytest.raises(BadInput):
        check_issue_ratings([2, 3], [60, 40], [[100, 0], [0, 50]])
    check_item_points(3, [50, 25, 25])
    with pytest.raises(BadInput):
        check_item_points(3, [50, 25, 24])


def test_r8_5_only_parties_sign_a_settlement() -> None:
    check_can_sign_settlement(ALICE)
    for person in (MAYA, CAROL):
        with pytest.raises(Forbidden):
            check_can_sign_settlement(person)


def test_r7_3_every_party_must_sign() -> None:
    assert everyone_signed([2, 3], [3, 2])
    assert not everyone_signed([2, 3], [2])
    assert not everyone_signed([], [])


def test_r5_3_the_signed_settlement_is_confidential_only_if_agreed() -> None:
    assert settlement_is_confidential(results_confidential=False, settled=True) is False
    assert settlement_is_confidential(results_confidential=True, settled=True) is True
    assert settlement_is_confidential(results_confidential=False, settled=False) is True


# --- Drafting from an offer (R8.5, R4.3, R4.5) ----------------------------------------------


def test_r4_3_drafting_needs_accepted_terms_in_the_joint_room_still_allowed_to_be_disclosed() -> (
    None
):
    from parley.negotiation.policy import check_can_draft_from_offer, counter_is_visible
    from parley.rooms.policy import Instruction, RoomKind, RoomRef

    joint = RoomRef(1, RoomKind.JOINT, None)
    caucus_a = RoomRef(2, RoomKind.CAUCUS, 10)
    caucus_b = RoomRef(3, RoomKind.CAUCUS, 11)
    may, never = Instruction.MAY_DISCLOSE, Instruction.DO_NOT_DISCLOSE
    cases = [
        (OfferStatus.OPEN, [joint], None, "not_accepted"),
        (OfferStatus.ACCEPTED, [joint], None, None),
        (OfferStatus.ACCEPTED, [caucus_b, caucus_a], may, "terms_not_in_joint_room"),
        (OfferStatus.ACCEPTED, [caucus_b, caucus_a], never, "disclosure_refused"),
        (OfferStatus.ACCEPTED, [caucus_b, joint], may, None),
        (OfferStatus.ACCEPTED, [caucus_b, joint], never, "disclosure_refused"),
    ]
    for status, rooms, instruction, code in cases:
        try:
            check_can_draft_from_offer(status, rooms, instruction)
            got = None
        except DomainError as refusal:
            got = refusal.code
        assert got == code, (status, rooms, instruction)
    assert counter_is_visible(caucus_b, [caucus_b])
    assert counter_is_visible(joint, [caucus_b, joint])
    assert not counter_is_visible(joint, [caucus_b, caucus_a])
    assert not counter_is_visible(caucus_a, [caucus_b])
