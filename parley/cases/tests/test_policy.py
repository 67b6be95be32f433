"""Case life and roles as tables, without a database (R1, R7)."""

from __future__ import annotations

import pytest

from parley.cases.policy import (
    CaseEvent,
    CaseStatus,
    CourtOrder,
    Role,
    check_can_hold_role,
    check_can_terminate,
    check_side_for_role,
    court_order_warning,
    transition,
)
from parley.errors import DomainError

S, E = CaseStatus, CaseEvent


@pytest.mark.parametrize(
    ("status", "event", "after"),
    [
        (S.SETUP, E.ISSUE_AGREEMENT, S.SIGNING),
        (S.SIGNING, E.ALL_SIGNED, S.ACTIVE),
        (S.ACTIVE, E.AGREEMENT_CHANGED, S.SIGNING),
        (S.SIGNING, E.AGREEMENT_CHANGED, S.SIGNING),
        (S.SETUP, E.TERMINATE, S.TERMINATED),
        (S.SIGNING, E.TERMINATE, S.TERMINATED),
        (S.ACTIVE, E.TERMINATE, S.TERMINATED),
    ],
)
def test_allowed_transitions(status: CaseStatus, event: CaseEvent, after: CaseStatus) -> None:
    assert transition(status, event) == after


@pytest.mark.parametrize("event", list(CaseEvent))
def test_r7_5_termination_is_final(event: CaseEvent) -> None:
    with pytest.raises(DomainError) as refused:
        transition(S.TERMINATED, event)
    assert refused.value.code == "case_terminated"


@pytest.mark.parametrize(
    ("status", "event"),
    [(S.SETUP, E.ALL_SIGNED), (S.ACTIVE, E.ISSUE_AGREEMENT), (S.ACTIVE, E.ALL_SIGNED)],
)
def test_other_transitions_are_refused(status: CaseStatus, event: CaseEvent) -> None:
    with pytest.raises(DomainError) as refused:
        transition(status, event)
    assert refused.value.code == "bad_transition"


@pytest.mark.parametrize("held", [Role.MEDIATOR, Role.PARTY, Role.COUNSEL])
@pytest.mark.parametrize("wanted", [Role.PARTY, Role.COUNSEL, Role.SUPPORT, Role.OBSERVER])
def test_r1_2_a_person_holds_one_role_in_a_case(held: Role, wanted: Role) -> None:
    with pytest.raises(DomainError) as refused:
        check_can_hold_role({held}, wanted)
    assert refused.value.code == "one_role_per_case"


def test_r1_1_a_case_has_exactly_one_mediator() -> None:
    with pytest.raises(DomainError):
        check_can_hold_role(set(), Role.MEDIATOR)


def test_r1_1_counsel_attend_for_a_side_and_observers_for_none() -> None:
    check_side_for_role(Role.COUNSEL, has_side=True)
    check_side_for_role(Role.OBSERVER, has_side=False)
    with pytest.raises(DomainError):
        check_side_for_role(Role.COUNSEL, has_side=False)
    with pytest.raises(DomainError):
        check_side_for_role(Role.OBSERVER, has_side=True)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.PARTY, True),
        (Role.MEDIATOR, True),
        (Role.COUNSEL, False),
        (Role.SUPPORT, False),
        (Role.OBSERVER, False),
        (None, False),
    ],
)
def test_r7_1_and_r7_2_only_a_party_or_the_mediator_terminates(
    role: Role | None, allowed: bool
) -> None:
    if allowed:
        check_can_terminate(role, S.ACTIVE)
    else:
        with pytest.raises(DomainError):
            check_can_terminate(role, S.ACTIVE)


def test_r7_4_a_court_order_warns_until_its_sessions_are_held() -> None:
    order = CourtOrder("the County Court", "CO-12", min_sessions=2)
    warning = court_order_warning(order, sessions_held=1)
    assert warning is not None and "at least 2 session" in warning and "may still end" in warning
    assert court_order_warning(order, sessions_held=2) is None
    assert court_order_warning(None, sessions_held=0) is None
