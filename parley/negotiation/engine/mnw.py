"""Maximum Nash welfare for indivisible items (Caragiannis et al., "The Unreasonable
Fairness of Maximum Nash Welfare").

Definition used (the paper's): first maximise the number of parties that get
positive value, then the product of their values.  The largest such number is
the size ``s`` of a maximum matching between parties and the items they value
positively.  Parties split into three groups by the Gallai-Edmonds structure of
that bipartite graph: *essential* ones (in every maximum matching, always
positive), *optional* ones (in some maximum matching; a binary ``z_i`` picks
which are positive) and *excluded* ones (value nothing, always 0).

The search (one loop, :func:`max_nash_welfare`):

1. An incumbent from a greedy start polished by exact local search (item moves
   and swaps).  No product-raising move remains, which makes it EF1.
2. The MILP (:mod:`.mnw_model`): integer counts per item *type* (items that
   every party values alike are interchangeable), bundle values ``v_i`` and
   ``W_i`` under secants of ``log`` through consecutive integers, exact at
   every integer.  A secant of ``log`` bounds every party's ``log``, so secants
   are *shared*: each position ``k`` is added for all parties at once, and a
   round cannot dodge it by moving value onto a party without it.  Parties with
   identical valuations have their values ordered (symmetry); when everyone
   values the items alike, the k most valuable bundles also hold at least the
   k most valuable items.
3. Each round asks for an allocation better than the incumbent, starting from
   it: when everyone values the items alike through a cutoff row, otherwise as
   HiGHS's start solution.  A better allocation becomes the incumbent; an
   envelope that overestimated a value gets the secants there; a bound below
   :func:`.mnw_model.goal` ends the search.  Below ``EXACT_PRODUCT_LIMIT`` the
   goal lies halfway to ``log(P + 1)``, so ending proves exactly that no integer
   product beats ``P`` (``log_gap`` 0.0); above it floats cannot separate ``P``
   from ``P + 1`` and ``log_gap`` is the 1e-8 margin proven.
   A round that improves the incumbent also cuts off the point the envelope
   overestimated, so the next round does not land on it again.  When everyone
   values the items alike and the incumbent splits the total as evenly as
   integers allow, no allocation does better (arithmetic): no round is needed.
4. With a time limit, or when the caller's ``watch`` asks, the search stops
   with the incumbent and the gap proven so far (``optimal`` False).

What is verified before an answer is called optimal (otherwise :class:`EngineError`):

* every item is allocated exactly once and exactly ``s`` parties are positive;
* EF1, exactly in integers: for all i, j, ``v_i(A_i) >= v_i(A_j) - max_{g in A_j} v_i(g)``;
* Pareto-optimality via optimality: no allocation has a larger Nash product
  (exactly, or within ``log_gap``).  Any Pareto improvement keeps the same
  positive set and strictly raises the product, so MNW-optimality implies
  Pareto-optimality among *all* allocations.  As a solver-independent spot check
  we also confirm, exactly, that no item sits with a party valuing it 0 while
  another party values it positively.

Items nobody values positively go to party 0.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._highs import Outcome
from .certify import balanced_bound, certify_mnw
from .mnw_model import (
    ROW_SCALE,
    SOLVER_SLACK,
    MatchingStructure,
    build_model,
    check_ef1,
    initial_grid,
    matching_structure,
    no_free_gift,
    parse_valuations,
)
from .mnw_model import (
    goal as _goal,
)
from .mnw_model import (
    proven_gap as _proven_gap,
)
from .mnw_model import (
    score as _score,
)
from .types import Allocation, EngineError

_MAX_ROUNDS = 500


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a running search stands: the best product so far and its proven log gap."""

    nash_product: int
    log_gap: float
    seconds: float


Watch = Callable[[Progress], bool]
"""Told about progress now and then; returns True to stop the search (best so far is kept)."""

_WATCH_EVERY = 0.25


def _start(values: NDArray[np.int64], structure: MatchingStructure) -> list[list[int]]:
    """A greedy allocation with exactly ``structure.size`` positive parties."""
    n, m = values.shape
    bundles: list[list[int]] = [[] for _ in range(n)]
    vals = [0] * n
    taken: set[int] = set()
    for i, g in structure.matching:
        bundles[i].append(g)
        vals[i] = int(values[i, g])
        taken.add(g)
    positive = [i for i, _ in structure.matching]
    rest = sorted((g for g in range(m) if g not in taken), key=lambda g: -int(values[:, g].max()))
    for g in rest:
        takers = [i for i in positive if values[i, g] > 0]
        if takers:
            i = max(takers, key=lambda j: (vals[j] + int(values[j, g])) / vals[j])
            bundles[i].append(g)
            vals[i] += int(values[i, g])
    return bundles


def _polish(values: NDArray[np.int64], bundles: list[list[int]]) -> list[list[int]]:
    """Local search over item moves and swaps among the positive parties, exact in integers.

    The result admits no product-raising single-item move, which makes it EF1 among
    the positive parties (Caragiannis et al.'s argument), optimal or not.
    """
    n, m = values.shape
    owner = np.full(m, -1, dtype=np.int64)
    for i, bundle in enumerate(bundles):
        owner[list(bundle)] = i
    vals = [sum(int(values[i, g]) for g in bundle) for i, bundle in enumerate(bundles)]
    positive = [i for i in range(n) if vals[i] > 0]
    fvalues = values.astype(np.float64)
    for _ in range(20 * m + 100):
        logv = np.log(np.maximum(np.array(vals, dtype=np.float64), 1.0))
        move = _best_move(values, fvalues, owner, vals, logv, positive)
        if move is not None:
            g, j = move
            i = int(owner[g])
            vals[i] -= int(values[i, g])
            vals[j] += int(values[j, g])
            owner[g] = j
            continue
        swap = _best_swap(values, fvalues, owner, vals, logv, positive)
        if swap is None:
            break
        g, h = swap
        i, j = int(owner[g]), int(owner[h])
        vals[i] += int(values[i, h]) - int(values[i, g])
        vals[j] += int(values[j, g]) - int(values[j, h])
        owner[g], owner[h] = j, i
    out: list[list[int]] = [[] for _ in range(n)]
    for g in range(m):
        out[int(owner[g]) if owner[g] >= 0 else 0].append(g)
    return out


def _best_move(
    values: NDArray[np.int64],
    fvalues: NDArray[np.float64],
    owner: NDArray[np.int64],
    vals: list[int],
    logv: NDArray[np.float64],
    positive: list[int],
) -> tuple[int, int] | None:
    pos = np.array(positive, dtype=np.int64)
    varr = np.array(vals, dtype=np.float64)
    best: tuple[float, int, int] | None = None
    for g in range(values.shape[1]):
        i = int(owner[g])
        if i < 0:
            continue
        a = int(values[i, g])
        if vals[i] - a < 1:
            continue
        b = fvalues[pos, g]
        gain = np.log(vals[i] - a) - logv[i] + np.log(varr[pos] + b) - logv[pos]
        gain[(b <= 0) | (pos == i)] = -np.inf
        k = int(np.argmax(gain))
        if gain[k] > 1e-12 and (best is None or gain[k] > best[0]):
            j = int(pos[k])
            # Exact confirmation: (v_i - a)(v_j + b) > v_i v_j.
            if (vals[i] - a) * (vals[j] + int(values[j, g])) > vals[i] * vals[j]:
                best = (float(gain[k]), g, j)
    return None if best is None else (best[1], best[2])


def _best_swap(
    values: NDArray[np.int64],
    fvalues: NDArray[np.float64],
    owner: NDArray[np.int64],
    vals: list[int],
    logv: NDArray[np.float64],
    positive: list[int],
) -> tuple[int, int] | None:
    items = {i: np.flatnonzero(owner == i) for i in positive}
    best: tuple[float, int, int] | None = None
    for i, j in itertools.combinations(positive, 2):
        a, b = items[i], items[j]
        if a.size == 0 or b.size == 0:
            continue
        new_i = vals[i] - fvalues[i, a][:, None] + fvalues[i, b][None, :]
        new_j = vals[j] - fvalues[j, b][None, :] + fvalues[j, a][:, None]
        ok = (
            (new_i >= 1)
            & (new_j >= 1)
            & (fvalues[i, b][None, :] > 0)
            & (fvalues[j, a][:, None] > 0)
        )
        if not ok.any():
            continue
        gain = np.where(ok, np.log(np.maximum(new_i, 1)) + np.log(np.maximum(new_j, 1)), -np.inf)
        gain -= logv[i] + logv[j]
        k = int(np.argmax(gain))
        r, c = divmod(k, b.size)
        if gain[r, c] > 1e-12 and (best is None or gain[r, c] > best[0]):
            g, h = int(a[r]), int(b[c])
            vi = vals[i] - int(values[i, g]) + int(values[i, h])
            vj = vals[j] - int(values[j, h]) + int(values[j, g])
            if vi * vj > vals[i] * vals[j]:
                best = (float(gain[r, c]), g, h)
    return None if best is None else (best[1], best[2])


def max_nash_welfare(
    valuations: Sequence[Sequence[int]],
    *,
    time_limit: float | None = None,
    start: Sequence[Sequence[int]] | None = None,
    watch: Watch | None = None,
) -> Allocation:
    """Allocate indivisible items maximising Nash welfare; EF1 and Pareto-optimal.

    Preconditions: ``valuations[i][g]`` is a non-negative int (Spliddit-style,
    each party spreads 1000 points, but any non-negative ints work); ``start``,
    if given, is an allocation to begin from (e.g. the best one of an earlier,
    stopped search).  With ``time_limit`` (seconds) or a ``watch`` that asks to
    stop, the best allocation found is returned with ``optimal`` False and its
    proven ``log_gap``.  Raises :class:`EngineError` if a result fails its own
    checks, because an unverified allocation must not be proposed.
    """
    clock = time.monotonic()
    values = parse_valuations(valuations)
    n, m = values.shape
    structure = matching_structure(values)
    if structure.size == 0:
        bundles: list[list[int]] = [list(range(m))] + [[] for _ in range(n - 1)]
        return _finish(values, structure, bundles, 0.0, optimal=True, check="nothing to share")
    built = build_model(values, structure)
    best = _polish(values, _start(values, structure))
    if start is not None:
        given = _polish(values, [sorted(b) for b in start])
        if _key(values, given) > _key(values, best) and _key(values, given)[0] == structure.size:
            best = given
    product = _score(values, best)[1]
    top = max(built.cap.values())
    built.add_secants(
        [*initial_grid(top), *(v + d for v in _score(values, best)[2] for d in (-1, 0))]
    )
    last_report = -math.inf

    def report(bound: float) -> bool:
        nonlocal last_report
        now = time.monotonic()
        if watch is None or now - last_report < _WATCH_EVERY:
            return False
        last_report = now
        gap = max(0.0, bound - math.log(product)) if math.isfinite(bound) else math.inf
        return watch(Progress(product, gap, now - clock))

    # Measured on the benchmark classes: when everyone values the items alike, a cutoff row
    # (together with the prefix rows) lets HiGHS refute "better than the incumbent" at the
    # root, where a start solution leaves it branching; otherwise the start is faster.
    gap = 0.0
    # Identical valuations split as evenly as integers allow: no allocation does better
    # (arithmetic, see certify.balanced_bound), so there is nothing to search.
    if (structure.size, product) != balanced_bound(values):
        use_start = not built.all_alike
        for _ in range(_MAX_ROUNDS):
            goal = _goal(product)
            if use_start:
                built.milp.set_row_bounds(built.cutoff_row, -math.inf, math.inf)
            else:
                built.milp.set_row_bounds(built.cutoff_row, ROW_SCALE * goal, math.inf)
            left = None if time_limit is None else max(0.0, time_limit - (time.monotonic() - clock))
            res = built.milp.solve(
                start=built.point(best) if use_start else None,
                abs_gap=(goal - math.log(product)) / 2 if use_start else 0.0,
                time_limit=left,
                watcher=report if watch is not None else None,
            )
            if res.outcome is Outcome.INFEASIBLE:
                gap = _proven_gap(product)
                break
            improved = False
            if res.x is not None:
                found = built.bundles(res.x)
                polished = _polish(values, found)
                count, new_product, _ = _score(values, polished)
                if count == structure.size and new_product > product:
                    best, product, improved = polished, new_product, True
            if res.outcome is Outcome.STOPPED:
                gap = max(0.0, max(res.bound, goal) - math.log(product))
                return _finish(values, structure, best, gap, optimal=False)
            if res.bound < _goal(product):
                gap = _proven_gap(product)
                break
            assert res.x is not None
            vals = _score(values, found)[2]
            over = [
                vals[i] + d
                for i, col in built.w.items()
                if vals[i] >= 1 and res.x[col] > math.log(vals[i]) + 1e-12
                for d in (-1, 0)
            ]
            if improved:
                # Measured on the correlated class: the next round otherwise re-solves the same
                # model and lands on the same overestimated point; cutting it off now (and
                # adding secants at the new incumbent's values) saves that round.
                built.add_secants(
                    [*over, *(v + d for v in _score(values, best)[2] for d in (-1, 0))]
                )
                continue
            if not built.add_secants(over):
                # The envelope is exact at this solution, yet it is no better than the incumbent:
                # what separates them is HiGHS's tolerance, not a better allocation.
                gap = max(0.0, res.bound - math.log(product))
                if gap <= SOLVER_SLACK:
                    break
                raise EngineError(f"MNW cutting planes stalled with log gap {gap:.3g}")
        else:
            raise EngineError("MNW cutting planes did not converge")
    left = None if time_limit is None else max(0.0, time_limit - (time.monotonic() - clock))
    cert = certify_mnw(values, best, time_limit=left, secants=built.ks)
    if cert.better is not None:
        better = _polish(values, [list(b) for b in cert.better])
        return _finish(values, structure, better, math.inf, optimal=False, disputed=True)
    if not cert.confirmed:
        return _finish(values, structure, best, gap, optimal=False)
    return _finish(values, structure, best, gap, optimal=True, check=cert.method)


def _key(values: NDArray[np.int64], bundles: list[list[int]]) -> tuple[int, int]:
    count, product, _ = _score(values, bundles)
    return count, product


def _finish(
    values: NDArray[np.int64],
    structure: MatchingStructure,
    bundles: list[list[int]],
    gap: float,
    *,
    optimal: bool,
    check: str = "",
    disputed: bool = False,
) -> Allocation:
    """Exact checks; an allocation called optimal must pass every one of them."""
    count, product, vals = _score(values, bundles)
    m = values.shape[1]
    if sorted(g for b in bundles for g in b) != list(range(m)):
        raise EngineError("allocation is not a partition of the items")
    if count != structure.size:
        raise EngineError("allocation does not give the maximum number of parties positive value")
    ef1 = check_ef1(values, bundles)
    if optimal:
        if not ef1:
            raise EngineError("MNW allocation is not EF1")
        if not no_free_gift(values, bundles):
            raise EngineError("MNW allocation is not Pareto-optimal (free gift available)")
        if gap > SOLVER_SLACK:
            raise EngineError(f"MNW optimality not certified (log gap {gap:.3g})")
    return Allocation(
        bundles=tuple(tuple(b) for b in bundles),
        values=tuple(vals),
        positive_parties=tuple(i for i, v in enumerate(vals) if v > 0),
        nash_product=product,
        log_gap=gap,
        optimal=optimal,
        ef1=ef1,
        check=check,
        disputed=disputed,
    )
