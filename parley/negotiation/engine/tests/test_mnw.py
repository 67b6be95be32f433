from __future__ import annotations

import pytest
from hypothesis import given, settings

from parley.negotiation.engine import check_ef1, max_nash_welfare

from .oracles import mnw_oracle
from .strategies import valuations


@settings(max_examples=100, deadline=None)
@given(valuations())
def test_equals_brute_force_and_is_ef1(values: list[list[int]]) -> None:
    result = max_nash_welfare(values)
    assert (len(result.positive_parties), result.nash_product) == mnw_oracle(values)
    assert check_ef1(values, result.bundles)
    m = len(values[0])
    assert sorted(g for b in result.bundles for g in b) == list(range(m))
    for i, bundle in enumerate(result.bundles):
        assert result.values[i] == sum(values[i][g] for g in bundle)


@pytest.mark.parametrize(
    ("values", "positive", "product"),
    [
        ([[1, 1, 1], [1, 1, 1]], (0, 1), 2),
        ([[0, 0], [5, 5]], (1,), 10),
        ([[1, 0], [1, 0]], (0,), 1),  # one positively valued item: one positive party
        # Parties 0 and 1 compete for item 0; party 2 is always positive.
        ([[1, 0, 0], [1, 0, 0], [0, 3, 2]], (0, 2), 5),
        # Spliddit-style 1000 points; MNW gives each its favourite.
        ([[700, 200, 100], [100, 200, 700]], (0, 1), 900 * 700),
    ],
)
def test_table(values: list[list[int]], positive: tuple[int, ...], product: int) -> None:
    result = max_nash_welfare(values)
    assert result.positive_parties == positive
    assert result.nash_product == product
    assert result.log_gap <= 1e-9


def test_validation() -> None:
    with pytest.raises(ValueError):
        max_nash_welfare([])
    with pytest.raises(ValueError):
        max_nash_welfare([[1, 2], [1]])
    with pytest.raises(ValueError):
        max_nash_welfare([[1, -2]])
