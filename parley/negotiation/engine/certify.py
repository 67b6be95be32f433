"""An independent check of a claim "this allocation maximises Nash welfare".

The search's proof rests on HiGHS's bound, and HiGHS has known faults (a
presolve reduction once reported "Optimal" at 24.20 on a small model where 28.55
was feasible).  So before an allocation is called optimal it is confirmed here,
by a route that does not share the search's failure modes:

* when every party values the items alike and the claim splits the total as evenly as integers
  allow, arithmetic alone proves it (no ``n`` positive integers with the same sum have a larger
  product: moving 1 from a larger to a smaller one by 2 or more raises the product);
* when ``n ** m`` is small, every allocation is enumerated (exact integers);
* otherwise a fresh model, with presolve off, no start solution and only
  secants (a grid, and those the search found it needed: a secant of ``log`` between
  consecutive integers bounds ``log`` at every integer, so any set of them keeps the check
  sound), is asked for an allocation better
  than the claim (:func:`.mnw_model.goal`); it must be infeasible.

A check that finds a better allocation returns it: the caller reports the
disagreement rather than proposing the weaker allocation as optimal.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._highs import Outcome
from .mnw_model import (
    ROW_SCALE,
    SOLVER_SLACK,
    build_model,
    goal,
    initial_grid,
    matching_structure,
    score,
)

BRUTE_FORCE_LIMIT = 200_000
"""Enumerate when there are at most this many allocations (n ** m)."""
_MAX_ROUNDS = 200


@dataclass(frozen=True, slots=True)
class Certificate:
    """``confirmed``: no allocation beats the claim.  ``better``: one that does, if found.

    Neither confirmed nor a better allocation means the check ran out of time.
    """

    confirmed: bool
    method: str
    better: tuple[tuple[int, ...], ...] | None = None


def certify_mnw(
    valuations: Sequence[Sequence[int]] | NDArray[np.int64],
    bundles: Sequence[Sequence[int]],
    *,
    time_limit: float | None = None,
    secants: Iterable[int] = (),
) -> Certificate:
    """Check that ``bundles`` maximises (positive parties, Nash product) for ``valuations``.

    Preconditions: ``bundles`` partitions the items ``0..m-1`` among the ``n`` parties.
    ``secants``: positions to add to the second solve's model from the start (optional).
    """
    values = np.asarray(valuations, dtype=np.int64).reshape(len(valuations), -1)
    n, m = values.shape
    claim = score(values, [list(b) for b in bundles])[:2]
    if claim == balanced_bound(values):
        return Certificate(True, "even split of identical valuations (arithmetic)")
    if n**m <= BRUTE_FORCE_LIMIT:
        return brute_force(values, claim)
    return second_solve(values, claim, time_limit, secants)


def balanced_bound(values: NDArray[np.int64]) -> tuple[int, int] | None:
    """When every party values the items alike and at least ``n`` items are valued: ``(n, P)``
    with ``P`` the largest product of ``n`` positive integers summing to the total, an upper
    bound no allocation exceeds. None otherwise."""
    n = values.shape[0]
    if not bool((values == values[0]).all()) or int((values[0] > 0).sum()) < n:
        return None
    q, r = divmod(int(values[0].sum()), n)
    return n, (q + 1) ** r * q ** (n - r)


def brute_force(values: NDArray[np.int64], claim: tuple[int, int]) -> Certificate:
    method = "every allocation enumerated"
    n, m = values.shape
    total = n**m
    best_key, best_owners = claim, None
    for first in range(0, total, 50_000):
        idx = np.arange(first, min(total, first + 50_000), dtype=np.int64)
        owners = np.empty((idx.size, m), dtype=np.int64)
        rest = idx.copy()
        for g in range(m - 1, -1, -1):
            owners[:, g] = rest % n
            rest //= n
        bundle_values = np.stack([(owners == i) @ values[i] for i in range(n)], axis=1)
        counts = (bundle_values > 0).sum(axis=1)
        logs = np.where(bundle_values > 0, np.log(np.maximum(bundle_values, 1)), 0.0).sum(axis=1)
        # Candidates in float, decided in exact integers.
        top = counts.max()
        near = np.flatnonzero((counts == top) & (logs >= logs[counts == top].max() - 1e-9))
        for row in near:
            key = (int(top), math.prod(int(v) for v in bundle_values[row] if v > 0))
            if key > best_key:
                best_key, best_owners = key, owners[row]
    if best_owners is None:
        return Certificate(True, method)
    better = tuple(tuple(g for g in range(m) if best_owners[g] == i) for i in range(n))
    return Certificate(False, method, better)


def second_solve(
    values: NDArray[np.int64],
    claim: tuple[int, int],
    time_limit: float | None,
    secants: Iterable[int] = (),
) -> Certificate:
    method = "second solve with presolve off"
    structure = matching_structure(values)
    count, product = claim
    if count < structure.size:
        return Certificate(False, method)
    if structure.size == 0:
        return Certificate(True, method)  # nobody values anything: every allocation is equal
    built = build_model(values, structure, presolve=False)
    built.add_secants([*initial_grid(max(built.cap.values())), *secants])
    target = goal(product)
    built.milp.set_row_bounds(built.cutoff_row, ROW_SCALE * target, math.inf)
    deadline = None if time_limit is None else time.monotonic() + time_limit
    for _ in range(_MAX_ROUNDS):
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        res = built.milp.solve(time_limit=left)
        if res.outcome is Outcome.INFEASIBLE:
            return Certificate(True, method)
        if res.outcome is Outcome.STOPPED or res.x is None:
            return Certificate(False, method)
        found = built.bundles(res.x)
        new_count, new_product, vals = score(values, found)
        if (new_count, new_product) > claim:
            return Certificate(False, method, tuple(tuple(b) for b in found))
        over = [
            vals[i] + d
            for i, col in built.w.items()
            if vals[i] >= 1 and res.x[col] > math.log(vals[i]) + 1e-12
            for d in (-1, 0)
        ]
        if not built.add_secants(over):
            # Exact envelope, no better product: only HiGHS's tolerance separates them.
            return Certificate(res.bound - math.log(product) <= SOLVER_SLACK, method)
    return Certificate(False, method)
