from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from parley.negotiation.engine import AlreadyParetoOptimal, Improvement, Method, improve

from .oracles import bargain_oracle, pareto_improvements, utilities
from .strategies import ratings

Ratings = list[tuple[list[int], list[list[int]]]]
METHODS: tuple[Method, ...] = ("enumerate", "milp")


@settings(max_examples=80, deadline=None)
@given(ratings(), st.data())
def test_improvement_dominates_or_none_exists(r: Ratings, data: st.DataObject) -> None:
    counts = [len(s) for s in r[0][1]]
    baseline = tuple(data.draw(st.integers(0, k - 1)) for k in counts)
    better = pareto_improvements(r, baseline)
    base_u = utilities(r, baseline)
    strict = [p for p in better if all(a > b for a, b in zip(utilities(r, p), base_u, strict=True))]
    if strict:
        expected = bargain_oracle(r, "nash", base_u)
    elif better:
        expected = bargain_oracle(r, "utilitarian", base_u)
    else:
        expected = None
    for method in METHODS:
        result = improve(r, baseline, method=method)
        if expected is None:
            assert isinstance(result, AlreadyParetoOptimal)
            assert result.baseline_utilities == base_u
            continue
        assert isinstance(result, Improvement)
        assert result.package == expected
        u = utilities(r, result.package)
        assert result.utilities == u
        assert all(g >= 0 for g in result.gains) and any(g > 0 for g in result.gains)
        assert result.rule == ("nash" if strict else "utilitarian")
        # The proposal itself cannot be improved further.
        assert not pareto_improvements(r, result.package)


def test_table() -> None:
    a = ([50, 50], [[100, 0], [0, 100]])
    b = ([50, 50], [[100, 0], [100, 0]])
    # Baseline (1, 1): A = 50, B = 0.  (0, 1): A = 100, B = 50 is better for both.
    result = improve([a, b], (1, 1))
    assert isinstance(result, Improvement)
    assert result.package == (0, 1)
    assert result.gains == (Fraction(50), Fraction(50))
    assert result.rule == "nash"
    # (0, 1) is Pareto-optimal: A's best and B's best conflict on issue 1.
    assert isinstance(improve([a, b], (0, 1)), AlreadyParetoOptimal)
    # A is already at its maximum: only B can gain -> utilitarian rule.
    c = ([100, 0], [[100, 0], [40, 40]])
    d = ([0, 100], [[0, 0], [0, 100]])
    result = improve([c, d], (0, 0))
    assert isinstance(result, Improvement)
    assert result.package == (0, 1) and result.rule == "utilitarian"
