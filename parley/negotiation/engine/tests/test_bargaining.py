from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.negotiation.engine import (
    Method,
    NoAgreement,
    PackageResult,
    Solution,
    bargain,
    package_utilities,
)

from .oracles import bargain_oracle, utilities
from .strategies import ratings

SOLUTIONS: tuple[Solution, ...] = ("nash", "kalai_smorodinsky", "egalitarian")
METHODS: tuple[Method, ...] = ("enumerate", "milp")
Ratings = list[tuple[list[int], list[list[int]]]]


def _expected(r: Ratings, solution: str, d: list[Fraction] | None = None) -> tuple[int, ...] | None:
    return bargain_oracle(r, solution, d if d is not None else [Fraction(0)] * len(r))


def _assert_matches(
    result: PackageResult | NoAgreement, expected: tuple[int, ...] | None, r: Ratings
) -> None:
    if expected is None:
        assert isinstance(result, NoAgreement)
    else:
        assert isinstance(result, PackageResult)
        assert result.package == expected
        assert result.utilities == utilities(r, expected)


@settings(max_examples=100, deadline=None)
@given(ratings(max_parties=4, max_issues=5, max_options=3), st.sampled_from(SOLUTIONS))
def test_enumeration_and_milp_follow_the_definition(r: Ratings, solution: Solution) -> None:
    expected = _expected(r, solution)
    for method in METHODS:
        _assert_matches(bargain(r, solution, method=method), expected, r)


@settings(max_examples=60, deadline=None)
@given(ratings(max_parties=3), st.sampled_from(SOLUTIONS), st.data())
def test_disagreement_point(r: Ratings, solution: Solution, data: st.DataObject) -> None:
    d = [Fraction(data.draw(st.integers(0, 60)), data.draw(st.sampled_from([1, 3]))) for _ in r]
    expected = _expected(r, solution, d)
    for method in METHODS:
        _assert_matches(bargain(r, solution, d, method=method), expected, r)


def _two_party_example() -> Ratings:
    # Issue 0: salary (A wants high option 2, B low option 0); issue 1: start date
    # (A cares little); issue 2: remote days (B cares a lot about option 1).
    a = ([60, 10, 30], [[0, 50, 100], [100, 0], [40, 0, 100]])
    b = ([30, 20, 50], [[100, 50, 0], [0, 100], [0, 100, 20]])
    return [a, b]


def test_table_two_parties() -> None:
    r = _two_party_example()
    # Utilities (x100): A = 60*s0 + 10*s1 + 30*s2, B = 30*t0 + 20*t1 + 50*t2.
    # (2, 1, 1): A = 60, B = 70 -> product 4200, the maximum among 18 packages.
    nash = bargain(r, "nash")
    assert isinstance(nash, PackageResult)
    assert nash.package == (2, 1, 1)
    assert nash.utilities == (Fraction(60), Fraction(70))
    assert nash.method == "enumerate"
    # Ideal: A 100, B 100.  (1, 1, 2): A = 30 + 30 = 60, B = 15 + 20 + 10 = 45 -> min 0.45;
    # (2, 1, 1) gives min(0.6, 0.7) = 0.6 which is the best.
    ks = bargain(r, "kalai_smorodinsky")
    assert isinstance(ks, PackageResult) and ks.package == (2, 1, 1)
    egal = bargain(r, "egalitarian")
    assert isinstance(egal, PackageResult) and egal.package == (2, 1, 1)
    for solution in SOLUTIONS:
        assert bargain(r, solution, method="milp") == PackageResult(
            package=(2, 1, 1),
            utilities=(Fraction(60), Fraction(70)),
            solution=solution,
            method="milp",
        )


def test_symmetric_tie_goes_to_smallest_package() -> None:
    a = ([100], [[100, 0]])
    b = ([100], [[0, 100]])
    # Neither package gives both a positive gain.
    assert isinstance(bargain([a, b]), NoAgreement)
    a = ([100], [[100, 50, 0]])
    b = ([100], [[0, 50, 100]])
    result = bargain([a, b], "nash")
    assert isinstance(result, PackageResult) and result.package == (1,)
    a = ([50, 50], [[100, 0], [100, 0]])
    b = ([50, 50], [[0, 100], [0, 100]])
    # (0, 1) and (1, 0) both give 50/50; the lexicographically smaller wins.
    for solution in SOLUTIONS:
        for method in METHODS:
            result = bargain([a, b], solution, method=method)
            assert isinstance(result, PackageResult) and result.package == (0, 1)


def test_ks_pareto_step() -> None:
    # Party B is indifferent on issue 1; KS's min-ratio ties both options there,
    # and the Pareto step picks the one A prefers (option 1).
    a = ([50, 50], [[100, 0], [0, 100]])
    b = ([100, 0], [[0, 100], [30, 30]])
    for method in METHODS:
        result = bargain([a, b], "kalai_smorodinsky", method=method)
        assert isinstance(result, PackageResult)
        assert result.package == (1, 1)


def test_validation() -> None:
    good = _two_party_example()
    with pytest.raises(ValueError):
        bargain(good[:1])
    with pytest.raises(ValueError):
        bargain([good[0], ([50, 10, 30], good[1][1])])  # weights sum to 90
    with pytest.raises(ValueError):
        bargain([good[0], (good[1][0], [[100, 50], [0, 100], [0, 100, 20]])])
    with pytest.raises(ValueError):
        bargain(good, "nash", [0])
    with pytest.raises(ValueError):
        bargain(good, "utilitarian")  # type: ignore[arg-type]
    assert package_utilities(good, (2, 1, 1)) == (Fraction(60), Fraction(70))


def test_auto_switches_to_milp_and_agrees() -> None:
    import numpy as np

    rng = np.random.default_rng(7)
    r: Ratings = []
    for _ in range(3):
        w = rng.multinomial(100, np.ones(6) / 6)
        r.append(
            ([int(x) for x in w], [[int(s) for s in rng.integers(0, 101, 5)] for _ in range(6)])
        )
    for solution in SOLUTIONS:
        e = bargain(r, solution, method="enumerate")
        a = bargain(r, solution, enumeration_limit=10)
        assert isinstance(e, PackageResult) and isinstance(a, PackageResult)
        assert e.method == "enumerate" and a.method == "milp"
        assert (e.package, e.utilities) == (a.package, a.utilities)
