"""Adjusted Winner (Brams and Taylor) for two parties, in exact arithmetic.

Both parties spread 100 points over the items.  Brams and Taylor first give
every item to whoever values it more and then move items, in order of the
ratio of the two valuations closest to 1, from the richer party to the poorer
one until both have equal points, splitting the last item moved.  Throughout
that process party A holds a prefix of the items sorted by decreasing a/b ratio,
so the outcome is the unique point on that ordering where both parties have
equal points; we compute it directly.  Sorting by ratio (ties by item index)
and treating items no one values as belonging to A makes every tie
deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from functools import cmp_to_key

from .types import AdjustedWinnerCheck, AdjustedWinnerResult, EngineError

TOTAL_POINTS = 100

Points = Sequence[int] | Sequence[Fraction] | Sequence[int | Fraction]


_ZERO = Fraction(0)
_ONE = Fraction(1)


def _as_integers(points_a: Points, points_b: Points) -> tuple[list[int], list[int]]:
    """Validate and scale both parties to a common denominator (ints only afterwards).

    Scaling both parties by the same factor changes no ratio, comparison or
    equality, so every conclusion carries over to the original points.
    """
    if len(points_a) != len(points_b):
        raise ValueError("points_a and points_b must have the same length")
    scale = 1
    for name, points in (("points_a", points_a), ("points_b", points_b)):
        for p in points:
            if type(p) is int:
                continue
            if isinstance(p, bool) or not isinstance(p, int | Fraction):
                raise TypeError(f"{name}: points must be ints or Fractions, got {p!r}")
            scale = math.lcm(scale, Fraction(p).denominator)
    out: list[list[int]] = []
    for name, points in (("points_a", points_a), ("points_b", points_b)):
        ints = [int(p) * scale if type(p) is int else int(Fraction(p) * scale) for p in points]
        if any(x < 0 for x in ints):
            raise ValueError(f"{name}: points must be non-negative")
        if sum(ints) != TOTAL_POINTS * scale:
            raise ValueError(f"{name}: points must sum to {TOTAL_POINTS}")
        out.append(ints)
    return out[0], out[1]


def _ratio_order(a: Sequence[int], b: Sequence[int]) -> list[int]:
    """Items someone values, by decreasing a/b (a/0 counts as infinite), ties by index.

    Cross-multiplication keeps the comparison exact and defined when b is 0.
    """

    def compare(i: int, j: int) -> int:
        left = a[i] * b[j]
        right = a[j] * b[i]
        if left != right:
            return -1 if left > right else 1
        return -1 if i < j else (1 if i > j else 0)

    valued = [j for j in range(len(a)) if a[j] > 0 or b[j] > 0]
    return sorted(valued, key=cmp_to_key(compare))


def adjusted_winner(points_a: Points, points_b: Points) -> AdjustedWinnerResult:
    """Divide items between A and B so both get equal points by their own valuation.

    Preconditions: both sequences have the same length and each is non-negative
    and sums to 100 (ints or Fractions).  The result is envy-free, equitable and
    Pareto-optimal with at most one split item; it is verified before being
    returned because a wrong division would be presented to real parties.
    """
    a, b = _as_integers(points_a, points_b)
    m = len(a)
    order = _ratio_order(a, b)
    # Shares of A as numerators over a common denominator ``den``.
    nums = [1] * m  # items nobody values stay with A
    den = 1

    # Walk the boundary: A owns order[:k] plus a share of order[k].  The
    # difference A - B increases strictly with every item (each has a or b > 0).
    total_a = 0
    total_b = sum(b[j] for j in order)
    split: int | None = None
    boundary = len(order)
    for k, j in enumerate(order):
        # With item j entirely to B the difference A - B is -gap; with it
        # entirely to A it is -gap + a[j] + b[j].
        gap = total_b - total_a
        if gap <= 0:
            boundary = k
            break
        if gap < a[j] + b[j]:
            den = a[j] + b[j]
            nums = [den] * m
            nums[j] = gap
            split = j
            boundary = k + 1
            break
        total_a += a[j]
        total_b -= b[j]
    for j in order[boundary:]:
        nums[j] = 0

    verdict, value_a = _check(a, b, nums, den)
    if not verdict.ok:
        raise EngineError(f"Adjusted Winner self-check failed: {verdict}")
    scale = sum(a) // TOTAL_POINTS
    shares = [_ONE if x == den else _ZERO if x == 0 else Fraction(x, den) for x in nums]
    return AdjustedWinnerResult(
        shares_a=tuple(shares), points=Fraction(value_a, den * scale), split_item=split
    )


def _check(
    a: Sequence[int], b: Sequence[int], nums: Sequence[int], den: int
) -> tuple[AdjustedWinnerCheck, int]:
    """The checks of :func:`check_adjusted_winner` on integers; also A's value times ``den``."""
    own_a = sum(x * y for x, y in zip(nums, a, strict=True))
    own_b = sum((den - x) * y for x, y in zip(nums, b, strict=True))
    other_a = den * sum(a) - own_a
    other_b = den * sum(b) - own_b

    pareto = True
    held_by_a: list[int] = []
    held_by_b: list[int] = []
    for j in range(len(a)):
        if a[j] == 0 and b[j] == 0:
            continue
        if nums[j] > 0:
            held_by_a.append(j)
            if a[j] == 0:
                pareto = False
        if nums[j] < den:
            held_by_b.append(j)
            if b[j] == 0:
                pareto = False
    if pareto and held_by_a and held_by_b:
        # Smallest ratio among A's items versus largest among B's, exactly.
        worst_a = held_by_a[0]
        for j in held_by_a[1:]:
            if a[j] * b[worst_a] < a[worst_a] * b[j]:
                worst_a = j
        best_b = held_by_b[0]
        for j in held_by_b[1:]:
            if a[j] * b[best_b] > a[best_b] * b[j]:
                best_b = j
        if a[best_b] * b[worst_a] > a[worst_a] * b[best_b]:
            pareto = False
    verdict = AdjustedWinnerCheck(
        envy_free=own_a >= other_a and own_b >= other_b,
        equitable=own_a == own_b,
        pareto_optimal=pareto,
        at_most_one_split=sum(1 for x in nums if 0 < x < den) <= 1,
    )
    return verdict, own_a


def check_adjusted_winner(
    points_a: Points, points_b: Points, shares_a: Sequence[Fraction]
) -> AdjustedWinnerCheck:
    """Verify envy-freeness, equitability, Pareto-optimality and at most one split.

    Preconditions: as for :func:`adjusted_winner`, plus one share in [0, 1]
    per item.  Works for any division, not only Adjusted Winner's, so tests can
    probe it with perturbed divisions.

    Pareto-optimality for two additive parties and divisible items holds exactly
    when (1) nobody holds any part of an item it values 0 that the other values
    positively (a free gift would improve the other), and (2) no item held partly
    by B has a strictly higher a/b ratio than an item held partly by A (a small
    exchange would improve both).  Ratios are compared by cross-multiplication
    so zeros need no special case there; items valued 0 by both are ignored.
    """
    a, b = _as_integers(points_a, points_b)
    shares = [Fraction(x) for x in shares_a]
    if len(shares) != len(a):
        raise ValueError("one share per item is required")
    if any(x < 0 or x > 1 for x in shares):
        raise ValueError("shares must lie in [0, 1]")
    den = math.lcm(*(x.denominator for x in shares)) if shares else 1
    nums = [int(x * den) for x in shares]
    return _check(a, b, nums, den)[0]
