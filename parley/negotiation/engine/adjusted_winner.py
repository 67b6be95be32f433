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

from collections.abc import Sequence
from fractions import Fraction
from functools import cmp_to_key

from .types import AdjustedWinnerCheck, AdjustedWinnerResult, EngineError

TOTAL_POINTS = 100

Points = Sequence[int] | Sequence[Fraction] | Sequence[int | Fraction]


def _as_points(points: Points, name: str) -> tuple[Fraction, ...]:
    values: list[Fraction] = []
    for p in points:
        if isinstance(p, bool) or not isinstance(p, int | Fraction):
            raise TypeError(f"{name}: points must be ints or Fractions, got {p!r}")
        value = Fraction(p)
        if value < 0:
            raise ValueError(f"{name}: points must be non-negative")
        values.append(value)
    if sum(values, Fraction(0)) != TOTAL_POINTS:
        raise ValueError(f"{name}: points must sum to {TOTAL_POINTS}")
    return tuple(values)


def _ratio_order(a: Sequence[Fraction], b: Sequence[Fraction]) -> list[int]:
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
    a = _as_points(points_a, "points_a")
    b = _as_points(points_b, "points_b")
    if len(a) != len(b):
        raise ValueError("points_a and points_b must have the same length")
    m = len(a)
    order = _ratio_order(a, b)
    shares = [Fraction(1)] * m  # items nobody values stay with A

    # Walk the boundary: A owns order[:k] plus share t of order[k].  The
    # difference A - B increases strictly with every item (each has a or b > 0).
    points_a_total = Fraction(0)
    points_b_total = sum((b[j] for j in order), Fraction(0))
    split: int | None = None
    boundary = len(order)
    for k, j in enumerate(order):
        # With item j entirely to B the difference is points_a_total - points_b_total.
        # With item j entirely to A it is that plus a[j] + b[j].
        gap = points_b_total - points_a_total
        if gap <= 0:
            boundary = k
            break
        if gap < a[j] + b[j]:
            t = gap / (a[j] + b[j])
            shares[j] = t
            split = j
            boundary = k + 1
            points_a_total += t * a[j]
            points_b_total -= t * b[j]
            break
        points_a_total += a[j]
        points_b_total -= b[j]
    for j in order[boundary:]:
        shares[j] = Fraction(0)

    result = AdjustedWinnerResult(
        shares_a=tuple(shares),
        points=sum((s * x for s, x in zip(shares, a, strict=True)), Fraction(0)),
        split_item=split,
    )
    verdict = check_adjusted_winner(a, b, result.shares_a)
    if not verdict.ok:
        raise EngineError(f"Adjusted Winner self-check failed: {verdict}")
    return result


def check_adjusted_winner(
    points_a: Points, points_b: Points, shares_a: Sequence[Fraction]
) -> AdjustedWinnerCheck:
    """Verify envy-freeness, equitability, Pareto-optimality and at most one split.

    Precondition: same lengths, non-negative points, shares in [0, 1].  Works for
    any division, not only Adjusted Winner's, so tests can probe it with
    perturbed divisions.

    Pareto-optimality for two additive parties and divisible items holds exactly
    when (1) nobody holds any part of an item it values 0 that the other values
    positively (a free gift would improve the other), and (2) no item held partly
    by B has a strictly higher a/b ratio than an item held partly by A (a small
    exchange would improve both).  Ratios are compared by cross-multiplication
    so zeros need no special case there; items valued 0 by both are ignored.
    """
    a = [Fraction(x) for x in points_a]
    b = [Fraction(x) for x in points_b]
    s = [Fraction(x) for x in shares_a]
    if not (len(a) == len(b) == len(s)):
        raise ValueError("lengths differ")
    if any(x < 0 or x > 1 for x in s):
        raise ValueError("shares must lie in [0, 1]")
    own_a = sum((si * ai for si, ai in zip(s, a, strict=True)), Fraction(0))
    other_a = sum(((1 - si) * ai for si, ai in zip(s, a, strict=True)), Fraction(0))
    own_b = sum(((1 - si) * bi for si, bi in zip(s, b, strict=True)), Fraction(0))
    other_b = sum((si * bi for si, bi in zip(s, b, strict=True)), Fraction(0))

    pareto = True
    for j in range(len(a)):
        if a[j] == 0 and b[j] > 0 and s[j] > 0:
            pareto = False
        if b[j] == 0 and a[j] > 0 and s[j] < 1:
            pareto = False
    held_by_a = [j for j in range(len(a)) if s[j] > 0 and (a[j] > 0 or b[j] > 0)]
    held_by_b = [j for j in range(len(a)) if s[j] < 1 and (a[j] > 0 or b[j] > 0)]
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

    return AdjustedWinnerCheck(
        envy_free=own_a >= other_a and own_b >= other_b,
        equitable=own_a == own_b,
        pareto_optimal=pareto,
        at_most_one_split=sum(1 for x in s if 0 < x < 1) <= 1,
    )
