"""Maximum Nash welfare for indivisible items (Caragiannis et al., "The Unreasonable
Fairness of Maximum Nash Welfare").

Definition used (the paper's): first maximise the number of parties that get
positive value, then the product of their values.  The largest such number is
the size ``s`` of a maximum matching between parties and the items they value
positively.  Parties split into three groups by the Gallai-Edmonds structure of
that bipartite graph: *essential* ones (in every maximum matching, always
positive), *optional* ones (in some maximum matching; a binary ``z_i`` picks
which are positive) and *excluded* ones (value nothing, always 0).

MILP: binary ``x[i, g]`` only for pairs with positive value, ``v_i`` the bundle
value, ``W_i`` an upper envelope of ``log v_i`` made of secants through
consecutive integers, ``W_i <= log k + (log(k+1) - log k) (v_i - k)``, which is
exact at every integer.  We add secants lazily: a small grid first, then the
two secants around each party's value in the current solution, until the HiGHS
bound meets the exact ``log`` of the best product found (gap <= 1e-9, or the
envelope is already exact at the solution and only solver tolerance remains).
Then, for products below ``EXACT_PRODUCT_LIMIT``, an exact tail asks HiGHS for
an allocation whose envelope reaches halfway to ``log(P + 1)``; infeasibility
proves no integer product beats ``P``.  ``Allocation.log_gap`` is 0.0 when that
proof succeeded, otherwise the remaining bound gap (at most ``SOLVER_SLACK``,
typically below 1e-12).

What is verified before returning (otherwise :class:`EngineError`):

* every item is allocated exactly once and exactly ``s`` parties are positive;
* EF1, exactly in integers: for all i, j, ``v_i(A_i) >= v_i(A_j) - max_{g in A_j} v_i(g)``;
* Pareto-optimality via optimality: the solver's bound certifies that no
  allocation has a larger Nash product (exactly, or within ``log_gap``).  Any Pareto
  improvement keeps the same positive set (it cannot grow beyond ``s``, nor can
  a positive party drop) and strictly raises the product, so MNW-optimality
  implies Pareto-optimality among *all* allocations.  As a solver-independent
  spot check we also confirm, exactly, that no item sits with a party valuing it
  0 while another party values it positively.

Items nobody values positively (after the solve: only those) go to party 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from ._milp import MilpModel
from .types import Allocation, EngineError

_LOG_TOL = 1e-9
EXACT_PRODUCT_LIMIT = 10**8
"""Below this Nash product we try to prove optimality exactly (no better integer product)."""
SOLVER_SLACK = 1e-6
ROW_SCALE = 1000.0
"""Secant rows are scaled so HiGHS's absolute row tolerance barely loosens the log envelope."""
"""Largest log gap attributable to HiGHS's tolerances that we accept as converged."""
_MAX_ROUNDS = 500


@dataclass(frozen=True, slots=True)
class MatchingStructure:
    """Who can be positive: ``size`` = max matching; party groups as in the module docstring."""

    size: int
    essential: tuple[int, ...]
    optional: tuple[int, ...]
    excluded: tuple[int, ...]


def parse_valuations(valuations: Sequence[Sequence[int]]) -> NDArray[np.int64]:
    """Preconditions: at least one party; a rectangular table of non-negative ints."""
    if len(valuations) == 0:
        raise ValueError("at least one party is required")
    m = len(valuations[0])
    table = np.zeros((len(valuations), m), dtype=np.int64)
    for i, row in enumerate(valuations):
        if len(row) != m:
            raise ValueError("every party must value the same items")
        for g, v in enumerate(row):
            if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 0:
                raise ValueError(f"party {i}, item {g}: values must be non-negative ints")
            if v > 10**9:
                raise ValueError("values above 10**9 are not supported")
            table[i, g] = v
    return table


def matching_structure(values: NDArray[np.int64]) -> MatchingStructure:
    """Maximum matching plus the Gallai-Edmonds split of the party side."""
    n, m = values.shape
    graph: nx.Graph[tuple[str, int]] = nx.Graph()
    parties = [("p", i) for i in range(n)]
    graph.add_nodes_from(parties)
    graph.add_nodes_from(("g", g) for g in range(m))
    graph.add_edges_from(
        (("p", i), ("g", g)) for i in range(n) for g in range(m) if values[i, g] > 0
    )
    matching: dict[tuple[str, int], tuple[str, int]] = nx.bipartite.hopcroft_karp_matching(
        graph, top_nodes=parties
    )
    size = sum(1 for p in parties if p in matching)
    # Parties missed by some maximum matching: even alternating paths from an unmatched party.
    missed: set[int] = set()
    frontier = [i for i in range(n) if ("p", i) not in matching]
    missed.update(frontier)
    while frontier:
        nxt: list[int] = []
        for i in frontier:
            for item in graph.neighbors(("p", i)):
                mate = matching.get(item)
                if mate is not None and mate[1] not in missed:
                    missed.add(mate[1])
                    nxt.append(mate[1])
        frontier = nxt
    has_value = [bool(np.any(values[i] > 0)) for i in range(n)]
    return MatchingStructure(
        size=size,
        essential=tuple(i for i in range(n) if i not in missed),
        optional=tuple(i for i in range(n) if i in missed and has_value[i]),
        excluded=tuple(i for i in range(n) if not has_value[i]),
    )


@dataclass
class _Model:
    model: MilpModel
    pairs: list[tuple[int, int]]
    v: dict[int, int]
    w: dict[int, int]
    z: dict[int, int]
    cap: dict[int, int]


def _secant(k: int) -> tuple[float, float]:
    """(slope, value at 0) of the line through (k, log k) and (k + 1, log(k + 1))."""
    slope = math.log(k + 1) - math.log(k)
    return slope, math.log(k) - slope * k


def build_model(values: NDArray[np.int64], structure: MatchingStructure) -> _Model:
    """The MNW MILP without secant rows (callers add them)."""
    m = values.shape[1]
    positive = sorted((*structure.essential, *structure.optional))
    model = MilpModel()
    pairs = [(i, g) for i in positive for g in range(m) if values[i, g] > 0]
    x = model.add_vars(len(pairs), 0.0, 1.0, integer=True)
    by_item: dict[int, list[int]] = {}
    for col, (_, g) in zip(x, pairs, strict=True):
        by_item.setdefault(g, []).append(col)
    for cols in by_item.values():
        model.add_row(cols, [1.0] * len(cols), -math.inf, 1.0)
    cap = {i: int(values[i][values[i] > 0].sum()) for i in positive}
    v = {i: model.add_vars(1, 0.0, float(cap[i]), integer=False)[0] for i in positive}
    w = {i: model.add_vars(1, 0.0, math.log(cap[i]), integer=False)[0] for i in positive}
    for i in positive:
        cols = [col for col, (p, _) in zip(x, pairs, strict=True) if p == i]
        coeffs = [float(values[i, g]) for (p, g) in pairs if p == i]
        model.add_row([v[i], *cols], [-1.0, *coeffs], 0.0, 0.0)
    z: dict[int, int] = {}
    if structure.optional:
        for i in structure.optional:
            z[i] = model.add_vars(1, 0.0, 1.0, integer=True)[0]
            model.add_row([v[i], z[i]], [1.0, -1.0], 0.0, math.inf)  # z_i = 1 => v_i >= 1
            model.add_row([w[i], z[i]], [1.0, -math.log(cap[i])], -math.inf, 0.0)
        needed = structure.size - len(structure.essential)
        model.add_row([z[i] for i in structure.optional], [1.0] * len(z), needed, needed)
    for i in structure.essential:
        model.lb[v[i]] = 1.0
    return _Model(model=model, pairs=pairs, v=v, w=w, z=z, cap=cap)


def add_secants(built: _Model, i: int, ks: Sequence[int]) -> None:
    """Secant rows for party i; for optional parties they are relaxed when z_i = 0."""
    for k in ks:
        slope, at0 = _secant(k)
        if i in built.z:
            # W_i <= at0 + slope * v_i + M (1 - z_i), M = -at0 >= 0 makes it W_i <= 0 at v_i = 0.
            big = max(0.0, -at0)
            built.model.add_row(
                [built.w[i], built.v[i], built.z[i]],
                [ROW_SCALE, -ROW_SCALE * slope, ROW_SCALE * big],
                -math.inf,
                ROW_SCALE * (at0 + big),
            )
        else:
            built.model.add_row(
                [built.w[i], built.v[i]],
                [ROW_SCALE, -ROW_SCALE * slope],
                -math.inf,
                ROW_SCALE * at0,
            )


def initial_grid(cap: int, points: int = 12) -> list[int]:
    """Secant positions spread geometrically over 1..cap-1."""
    if cap <= 1:
        return []
    grid = {1, cap - 1}
    grid.update(max(1, min(cap - 1, round(cap ** (j / points)))) for j in range(1, points))
    return sorted(grid)


def _bundles(values: NDArray[np.int64], built: _Model, x: NDArray[np.float64]) -> list[list[int]]:
    n, m = values.shape
    owner = [-1] * m
    for col, (i, g) in enumerate(built.pairs):
        if x[col] > 0.5:
            if owner[g] != -1:
                raise EngineError("item allocated twice")
            owner[g] = i
    bundles: list[list[int]] = [[] for _ in range(n)]
    for g in range(m):
        bundles[owner[g] if owner[g] != -1 else 0].append(g)
    return bundles


def _score(values: NDArray[np.int64], bundles: list[list[int]]) -> tuple[int, int, list[int]]:
    """(number of positive parties, product of positive values, values) exactly."""
    vals = [sum(int(values[i, g]) for g in bundle) for i, bundle in enumerate(bundles)]
    positive = [v for v in vals if v > 0]
    return len(positive), math.prod(positive), vals


def check_ef1(
    valuations: Sequence[Sequence[int]] | NDArray[np.int64], bundles: Sequence[Sequence[int]]
) -> bool:
    """Envy-free up to one item, in exact integers; ``bundles[i]`` lists party i's items."""
    values = np.asarray(valuations, dtype=np.int64)
    if values.ndim != 2:  # no items at all
        values = values.reshape(len(bundles), 0)
    n = values.shape[0]
    for i in range(n):
        own = sum(int(values[i, g]) for g in bundles[i])
        for j in range(n):
            if i == j or not bundles[j]:
                continue
            other = [int(values[i, g]) for g in bundles[j]]
            if own < sum(other) - max(other):
                return False
    return True


def _no_free_gift(values: NDArray[np.int64], bundles: Sequence[Sequence[int]]) -> bool:
    """No item is held by a party valuing it 0 while another values it positively."""
    for i, bundle in enumerate(bundles):
        for g in bundle:
            if values[i, g] == 0 and bool(np.any(values[:, g] > 0)):
                return False
    return True


def max_nash_welfare(valuations: Sequence[Sequence[int]]) -> Allocation:
    """Allocate indivisible items maximising Nash welfare; EF1 and Pareto-optimal.

    Preconditions: ``valuations[i][g]`` is a non-negative int (Spliddit-style,
    each party spreads 1000 points, but any non-negative ints work).  Raises
    :class:`EngineError` if the result fails its own checks, because an
    unverified allocation must not be proposed.
    """
    values = parse_valuations(valuations)
    n, m = values.shape
    structure = matching_structure(values)
    if structure.size == 0:
        bundles: list[list[int]] = [list(range(m))] + [[] for _ in range(n - 1)]
        return _finish(values, structure, bundles, 0.0)
    built = build_model(values, structure)
    done: set[tuple[int, int]] = set()
    for i in built.v:
        grid = initial_grid(built.cap[i])
        done.update((i, k) for k in grid)
        add_secants(built, i, grid)
    objective = {col: 1.0 for col in built.w.values()}
    best: list[list[int]] | None = None
    best_key = (-1, 0)
    gap = math.inf
    for _ in range(_MAX_ROUNDS):
        sol = built.model.solve(objective, maximize=True)
        if sol is None:
            raise EngineError("MNW model infeasible although a matching exists")
        bundles = _bundles(values, built, sol.x)
        count, product, vals = _score(values, bundles)
        if count == structure.size and (best is None or product > best_key[1]):
            best, best_key = bundles, (count, product)
        if best is not None:
            gap = sol.bound - math.fsum(math.log(v) for v in _score(values, best)[2] if v > 0)
            if gap <= _LOG_TOL:
                break
        added = False
        for i, col in built.w.items():
            vi = vals[i]
            if vi >= 1 and sol.x[col] > math.log(vi) + 1e-12:
                ks = [k for k in (vi - 1, vi) if k >= 1 and (i, k) not in done]
                done.update((i, k) for k in ks)
                add_secants(built, i, ks)
                added = added or bool(ks)
        if not added:
            # The envelope is exact at the solution: what remains of the gap is
            # HiGHS's integrality tolerance, which the exact tail deals with.
            if gap <= SOLVER_SLACK:
                break
            raise EngineError(f"MNW cutting planes stalled with log gap {gap:.3g}")
    else:
        raise EngineError("MNW cutting planes did not converge")
    assert best is not None
    best, gap = _exact_tail(values, built, objective, done, best, sol.bound, structure.size)
    return _finish(values, structure, best, max(0.0, gap))


def _exact_tail(
    values: NDArray[np.int64],
    built: _Model,
    objective: dict[int, float],
    done: set[tuple[int, int]],
    best: list[list[int]],
    bound: float,
    size: int,
) -> tuple[list[list[int]], float]:
    """Rule out, exactly, an allocation with product >= best + 1 hidden in float tolerance.

    Returns the (possibly improved) allocation and the remaining log gap, 0.0
    when optimality is proven exactly.  From ``EXACT_PRODUCT_LIMIT`` on,
    ``log(P + 1) - log(P)`` is below the solver's resolution and the certificate
    is the log gap of at most 1e-9 (relative 1e-9 on the product).
    """
    product = _score(values, best)[1]
    skip: list[tuple[list[int], list[float], float, float]] = []
    w_cols = list(built.w.values())
    for _ in range(20):
        goal = math.log(product + 1)
        if bound < goal - 1e-12:
            return best, 0.0
        if product >= EXACT_PRODUCT_LIMIT:
            break
        # Halfway between log(P) and log(P + 1): no numerically thin sliver.
        row = (w_cols, [1.0] * len(w_cols), goal - 0.5 / (product + 1), math.inf)
        sol = built.model.solve(objective, maximize=True, extra_rows=[row, *skip])
        if sol is None:
            return best, 0.0
        bound = sol.bound
        bundles = _bundles(values, built, sol.x)
        count, new_product, vals = _score(values, bundles)
        if count == size and new_product > product:
            best, product = bundles, new_product
            continue
        added = False
        for i, col in built.w.items():
            vi = vals[i]
            if vi >= 1 and sol.x[col] > math.log(vi) + 1e-12:
                ks = [k for k in (vi - 1, vi) if k >= 1 and (i, k) not in done]
                done.update((i, k) for k in ks)
                add_secants(built, i, ks)
                added = added or bool(ks)
        if not added:
            chosen = [col for col, (i, g) in enumerate(built.pairs) if sol.x[col] > 0.5]
            skip.append((chosen, [1.0] * len(chosen), -math.inf, float(len(chosen) - 1)))
    return best, max(0.0, bound - math.log(product))


def _finish(
    values: NDArray[np.int64],
    structure: MatchingStructure,
    bundles: list[list[int]],
    gap: float,
) -> Allocation:
    count, product, vals = _score(values, bundles)
    m = values.shape[1]
    if sorted(g for b in bundles for g in b) != list(range(m)):
        raise EngineError("allocation is not a partition of the items")
    if count != structure.size:
        raise EngineError("allocation does not give the maximum number of parties positive value")
    if not check_ef1(values, bundles):
        raise EngineError("MNW allocation is not EF1")
    if not _no_free_gift(values, bundles):
        raise EngineError("MNW allocation is not Pareto-optimal (free gift available)")
    if gap > SOLVER_SLACK:
        raise EngineError(f"MNW optimality not certified (log gap {gap:.3g})")
    return Allocation(
        bundles=tuple(tuple(b) for b in bundles),
        values=tuple(vals),
        positive_parties=tuple(i for i, v in enumerate(vals) if v > 0),
        nash_product=product,
        log_gap=gap,
    )
