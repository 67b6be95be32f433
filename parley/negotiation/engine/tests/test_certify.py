from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings

from parley.negotiation.engine import max_nash_welfare
from parley.negotiation.engine.certify import certify_mnw, second_solve
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
