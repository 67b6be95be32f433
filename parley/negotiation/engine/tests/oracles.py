"""Brute-force reference implementations, written independently of the engine.

They follow the definitions literally (all packages, all allocations, exact
Fractions) so the engine's reductions and MILPs are checked against the
definition rather than against themselves.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from fractions import Fraction

Ratings = Sequence[tuple[Sequence[int], Sequence[Sequence[int]]]]


def all_packages(ratings: Ratings) -> list[tuple[int, ...]]:
    counts = [len(s) for s in ratings[0][1]]
    return list(itertools.product(*(range(k) for k in counts)))


def utilities(ratings: Ratings, package: Sequence[int]) -> tuple[Fraction, ...]:
    return tuple(
        sum((Fraction(w[e] * s[e][o], 100) for e, o in enumerate(package)), Fraction(0))
        for w, s in ratings
    )


def bargain_oracle(
    ratings: Ratings, rule: str, disagreement: Sequence[Fraction]
) -> tuple[int, ...] | None:
    """The documented rule: eligible -> criterion-optimal -> max total -> lexmin package."""
    packages = all_packages(ratings)
    table = {p: utilities(ratings, p) for p in packages}
    n = len(ratings)
    if rule == "utilitarian":
        eligible = [p for p in packages if all(table[p][i] >= disagreement[i] for i in range(n))]
    else:
        eligible = [p for p in packages if all(table[p][i] > disagreement[i] for i in range(n))]
    if not eligible:
        return None
    ideal = [max(table[p][i] for p in packages) for i in range(n)]

    def key(p: tuple[int, ...]) -> object:
        gains = [table[p][i] - disagreement[i] for i in range(n)]
        if rule == "nash":
            return math.prod(gains)
        if rule == "kalai_smorodinsky":
            return min(gains[i] / (ideal[i] - disagreement[i]) for i in range(n))
        if rule == "egalitarian":
            return tuple(sorted(gains))
        return Fraction(0)

    keys = {p: key(p) for p in eligible}
    top = max(keys.values())  # type: ignore[type-var]
    optimal = [p for p in eligible if keys[p] == top]
    best_total = max(sum(table[p]) for p in optimal)
    return min(p for p in optimal if sum(table[p]) == best_total)


def pareto_improvements(ratings: Ratings, baseline: Sequence[int]) -> list[tuple[int, ...]]:
    base = utilities(ratings, baseline)
    out = []
    for p in all_packages(ratings):
        u = utilities(ratings, p)
        if all(a >= b for a, b in zip(u, base, strict=True)) and u != base:
            out.append(p)
    return out


def mnw_oracle(values: Sequence[Sequence[int]]) -> tuple[int, int]:
    """(most parties with positive value, largest product of their values) over all allocations."""
    n = len(values)
    m = len(values[0]) if n else 0
    best = (-1, 0)
    for owners in itertools.product(range(n), repeat=m):
        bundle_values = [0] * n
        for g, i in enumerate(owners):
            bundle_values[i] += values[i][g]
        positive = [v for v in bundle_values if v > 0]
        best = max(best, (len(positive), math.prod(positive)))
    return best
