from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.negotiation.engine import max_nash_welfare
from parley.negotiation.engine.certify import balanced_bound, certify_mnw, second_solve
from parley.negotiation.engine.mnw_model import score

from .oracles import mnw_oracle
from .strategies import valuations


def every_allocation(n: int, m: int) -> list[list[list[int]]]:
    out = []
    for owners in itertools.product(range(n), repeat=m):
        out.append([[g for g in range(m) if owners[g] == i] for i in range(n)])
    return out


@settings(max_examples=25, deadline=None)
@given(valuations(max_parties=3, max_items=5))
def test_the_check_confirms_exactly_the_allocations_brute_force_calls_optimal(
    values: list[list[int]],
) -> None:
    n, m = len(values), len(values[0])
    best = mnw_oracle(values)
    table = np.array(values, dtype=np.int64).reshape(n, m)
    for bundles in every_allocation(n, m)[:12]:
        optimal = score(table, bundles)[:2] == best
        # The enumerating check and the second solve agree with the definition.
        assert certify_mnw(values, bundles).confirmed == optimal
        if m and n > 1:
            second = second_solve(table, score(table, bundles)[:2], None)
            assert second.confirmed == optimal
            if not optimal and second.better is not None:
                assert (
                    score(table, [list(b) for b in second.better])[:2] > score(table, bundles)[:2]
                )


def test_a_wrong_optimal_answer_is_rejected_with_a_better_allocation() -> None:
    values = [[6, 1, 1, 1, 1], [1, 1, 1, 1, 6], [2, 2, 2, 2, 2]]
    right = max_nash_welfare(values)
    assert right.optimal and right.check
    wrong = [[0, 1], [2, 3], [4]]  # a valid partition, far from optimal
    table = np.array(values, dtype=np.int64)
    for verdict in (
        certify_mnw(values, wrong),
        second_solve(table, score(table, wrong)[:2], None),
    ):
        assert not verdict.confirmed
        assert verdict.better is not None
        assert score(table, [list(b) for b in verdict.better])[1] > score(table, wrong)[1]


@pytest.mark.parametrize("n", [8, 12])
def test_large_instances_are_confirmed_by_asecond_solve(n: int) -> None:
    values = [[(3 * i + 7 * g) % 11 + 1 for g in range(12)] for i in range(n)]
    result = max_nash_welfare(values)
    assert result.optimal
    assert result.check == "second solve with presolve off"
    worse = [list(b) for b in result.bundles]
    # Move one item to make it worse: the check must refuse it.
    giver = max(range(n), key=lambda i: len(worse[i]))
    taker = (giver + 1) % n
    worse[taker].append(worse[giver].pop())
    if score(np.array(values), worse)[1] < result.nash_product:
        verdict = certify_mnw(values, worse)
        assert not verdict.confirmed


@settings(max_examples=25, deadline=None)
@given(
    st.integers(2, 3),
    st.lists(st.integers(0, 9), min_size=1, max_size=6),
    st.lists(st.integers(1, 40), max_size=8),
)
def test_identical_valuations_are_confirmed_exactly_as_brute_force_says(
    n: int, row: list[int], extra_secants: list[int]
) -> None:
    """The even-split arithmetic, and a second solve started with any secants, agree with
    the definition on every allocation of items everyone values alike."""
    values = [list(row) for _ in range(n)]
    m = len(row)
    best = mnw_oracle(values)
    table = np.array(values, dtype=np.int64)
    for bundles in every_allocation(n, m)[:20]:
        claim = score(table, bundles)[:2]
        optimal = claim == best
        verdict = certify_mnw(values, bundles)
        assert verdict.confirmed == optimal
        if verdict.method.startswith("even split"):
            assert optimal and claim == balanced_bound(table)
        if n > 1:
            second = second_solve(table, claim, None, extra_secants)
            assert second.confirmed == optimal


def test_an_even_split_of_identical_valuations_needs_no_solver() -> None:
    values = [[9, 1, 3, 2, 3, 3, 2, 10, 1, 17, 1, 4, 6, 1, 4, 2, 0, 2, 3, 1]] * 4
    result = max_nash_welfare(values)
    assert result.optimal and result.nash_product == 19**3 * 18  # 75 = 19 + 19 + 19 + 18
    assert result.check == "even split of identical valuations (arithmetic)"
    assert balanced_bound(np.array(values)) == (4, 19**3 * 18)
