from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from parley.negotiation.engine import adjusted_winner, check_adjusted_winner

from .strategies import points

F = Fraction


@pytest.mark.parametrize(
    ("a", "b", "shares", "value", "split"),
    [
        # Each values its top two items most: no transfer needed, 70 each.
        ([40, 30, 20, 10], [10, 20, 30, 40], [1, 1, 0, 0], 70, None),
        # A wins item 0 (60 > 30) and B item 2 (40 > 10); the tied item 1 (ratio 1)
        # is split: A gets 1/6, so A has 60 + 5 = 65 and B has 25 + 40 = 65.
        ([60, 30, 10], [30, 30, 40], [1, F(1, 6), 0], 65, 1),
        # Identical valuations: equal split of value, items ordered by index.
        ([50, 50], [50, 50], [1, 0], 50, None),
        ([100], [100], [F(1, 2)], 50, 0),
        # An item only B values, an item nobody values (stays with A).
        ([70, 0, 30, 0], [20, 60, 20, 0], [1, 0, F(1, 5), 1], 76, 2),
        # Brams-Taylor style: A gives up the item with ratio closest to 1.
        ([10, 20, 30, 40], [40, 30, 20, 10], [0, 0, 1, 1], 70, None),
    ],
)
def test_table(
    a: list[int], b: list[int], shares: list[int | Fraction], value: int, split: int | None
) -> None:
    result = adjusted_winner(a, b)
    assert result.shares_a == tuple(F(s) for s in shares)
    assert result.points == value
    assert result.split_item == split


def test_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        adjusted_winner([50, 40], [50, 50])
    with pytest.raises(ValueError):
        adjusted_winner([50, 50], [100])
    with pytest.raises(ValueError):
        adjusted_winner([110, -10], [50, 50])
    with pytest.raises(TypeError):
        adjusted_winner([50.0, 50.0], [50, 50])  # type: ignore[list-item]


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[int | Fraction], list[int | Fraction]]:
    m = draw(st.integers(1, 8))
    return draw(points(m)), draw(points(m))


@settings(max_examples=100, deadline=None)
@given(instances())
def test_properties(inst: tuple[list[int | Fraction], list[int | Fraction]]) -> None:
    a, b = inst
    result = adjusted_winner(a, b)
    verdict = check_adjusted_winner(a, b, result.shares_a)
    assert verdict.ok, verdict
    own_b = sum((s * x for s, x in zip(result.shares_b, b, strict=True)), F(0))
    assert result.points == own_b
    assert sum(1 for s in result.shares_a if 0 < s < 1) == (result.split_item is not None)
    assert adjusted_winner(a, b) == result  # deterministic


def _pareto_by_lp(a: list[Fraction], b: list[Fraction], shares: list[Fraction]) -> bool:
    """PO iff no division gives both at least as much with a larger total (float LP)."""
    ua = float(sum((s * x for s, x in zip(shares, a, strict=True)), F(0)))
    ub = float(sum(((1 - s) * x for s, x in zip(shares, b, strict=True)), F(0)))
    fa = [float(x) for x in a]
    fb = [float(x) for x in b]
    # variables: share of A per item; maximise ua + ub = sum s (a - b) + sum b.
    res = linprog(
        c=[-(x - y) for x, y in zip(fa, fb, strict=True)],
        A_ub=[[-x for x in fa], fb],
        b_ub=[-ua, sum(fb) - ub],
        bounds=[(0, 1)] * len(a),
        method="highs",
    )
    assert res.status == 0
    best_total = -float(res.fun) + sum(fb)
    return best_total <= ua + ub + 1e-7


@settings(max_examples=100, deadline=None)
@given(instances(), st.data())
def test_checker_pareto_agrees_with_lp(
    inst: tuple[list[int | Fraction], list[int | Fraction]], data: st.DataObject
) -> None:
    a = [F(x) for x in inst[0]]
    b = [F(x) for x in inst[1]]
    shares = data.draw(
        st.lists(st.sampled_from([F(0), F(1), F(1, 2), F(1, 3)]), min_size=len(a), max_size=len(a))
    )
    verdict = check_adjusted_winner(a, b, shares)
    assert verdict.pareto_optimal == _pareto_by_lp(a, b, shares)
