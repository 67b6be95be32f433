"""The maximum-Nash-welfare MILP and what the search and its independent check share.

See :mod:`.mnw` for the method.  Everything here is deterministic and exact
except the MILP itself, whose answers the callers verify.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from ._highs import Model
from .types import EngineError

_LOG_TOL = 1e-8
EXACT_PRODUCT_LIMIT = 10**8
"""Below this Nash product optimality is proven exactly (no better integer product)."""
SOLVER_SLACK = 1e-6
"""Largest log gap attributable to HiGHS's tolerances that we accept as converged."""
ROW_SCALE = 1000.0
"""Secant rows are scaled so HiGHS's absolute row tolerance barely loosens the log envelope."""


@dataclass(frozen=True, slots=True)
class MatchingStructure:
    """Who can be positive: ``size`` = max matching; party groups as in the module docstring."""

    size: int
    essential: tuple[int, ...]
    optional: tuple[int, ...]
    excluded: tuple[int, ...]
    matching: tuple[tuple[int, int], ...] = ()
    """(party, item) pairs of one maximum matching."""


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
    """Maximum matching plus the Gallai-Edmonds split of the party side.

    Nodes are ints (party i is i, item g is n + g): their hashes, unlike those of
    strings, do not change between processes, so the same input gives the same answer.
    """
    n, m = values.shape
    graph: nx.Graph[int] = nx.Graph()
    graph.add_nodes_from(range(n + m))
    graph.add_edges_from((i, n + g) for i in range(n) for g in range(m) if values[i, g] > 0)
    matching: dict[int, int] = nx.bipartite.hopcroft_karp_matching(graph, top_nodes=range(n))
    size = sum(1 for i in range(n) if i in matching)
    # Parties missed by some maximum matching: even alternating paths from an unmatched party.
    missed: set[int] = set()
    frontier = [i for i in range(n) if i not in matching]
    missed.update(frontier)
    while frontier:
        nxt: list[int] = []
        for i in frontier:
            for item in graph.neighbors(i):
                mate = matching.get(item)
                if mate is not None and mate not in missed:
                    missed.add(mate)
                    nxt.append(mate)
        frontier = nxt
    has_value = [bool(np.any(values[i] > 0)) for i in range(n)]
    return MatchingStructure(
        size=size,
        essential=tuple(i for i in range(n) if i not in missed),
        optional=tuple(i for i in range(n) if i in missed and has_value[i]),
        excluded=tuple(i for i in range(n) if not has_value[i]),
        matching=tuple((i, matching[i] - n) for i in range(n) if i in matching),
    )


def initial_grid(cap: int, points: int = 12) -> list[int]:
    """Secant positions spread geometrically over 1..cap-1."""
    if cap <= 1:
        return []
    grid = {1, cap - 1}
    grid.update(max(1, min(cap - 1, round(cap ** (j / points)))) for j in range(1, points))
    return sorted(grid)


def _secant(k: int) -> tuple[float, float]:
    """(slope, value at 0) of the line through (k, log k) and (k + 1, log(k + 1))."""
    slope = math.log(k + 1) - math.log(k)
    return slope, math.log(k) - slope * k


def _envelope(k_set: Sequence[int], cap: int, v: int) -> float:
    """The model's upper bound on ``log v`` from the secants in ``k_set`` and ``log cap``."""
    best = math.log(cap)
    for k in k_set:
        if k < cap:
            slope, at0 = _secant(k)
            best = min(best, at0 + slope * v)
    return best


def identical_groups(values: NDArray[np.int64], parties: Sequence[int]) -> list[list[int]]:
    """Parties (from ``parties``) with identical valuations, in groups of two or more."""
    groups: dict[bytes, list[int]] = {}
    for i in parties:
        groups.setdefault(values[i].tobytes(), []).append(i)
    return [g for g in groups.values() if len(g) > 1]


@dataclass
class _Model:
    """The MNW MILP over item *types* (items every party values alike are interchangeable).

    ``y[i, t]`` counts the items of type ``t`` party ``i`` gets; ``v_i`` its value,
    ``W_i`` the secant envelope of ``log v_i``.  Secants are shared: every ``k``
    in ``ks`` bounds every party whose capacity exceeds it.
    """

    milp: Model
    values: NDArray[np.int64]
    positive: list[int]
    types: list[list[int]]
    y: dict[tuple[int, int], int]
    v: dict[int, int]
    w: dict[int, int]
    z: dict[int, int]
    cap: dict[int, int]
    cutoff_row: int
    all_alike: bool
    ks: set[int] = field(default_factory=set)

    def add_secants(self, ks: Iterable[int]) -> int:
        """Add the secants at ``ks`` for every party; returns how many were new."""
        new = sorted({k for k in ks if k >= 1 and k not in self.ks})
        rows: list[tuple[list[int], list[float], float, float]] = []
        for k in new:
            slope, at0 = _secant(k)
            for i in self.positive:
                if k >= self.cap[i]:
                    continue
                if i in self.z:
                    # W_i <= at0 + slope v_i + M (1 - z_i), M = -at0 >= 0 gives W_i <= 0 at v_i = 0.
                    big = max(0.0, -at0)
                    rows.append(
                        (
                            [self.w[i], self.v[i], self.z[i]],
                            [ROW_SCALE, -ROW_SCALE * slope, ROW_SCALE * big],
                            -math.inf,
                            ROW_SCALE * (at0 + big),
                        )
                    )
                else:
                    rows.append(
                        (
                            [self.w[i], self.v[i]],
                            [ROW_SCALE, -ROW_SCALE * slope],
                            -math.inf,
                            ROW_SCALE * at0,
                        )
                    )
        self.milp.add_rows(rows)
        self.ks.update(new)
        return len(new)

    def point(self, bundles: Sequence[Sequence[int]]) -> NDArray[np.float64]:
        """The model's column vector for an allocation (a start solution)."""
        x = np.zeros(self.milp.num_vars)
        type_of = {g: t for t, items in enumerate(self.types) for g in items}
        ks = sorted(self.ks)
        for i in self.positive:
            vi = sum(int(self.values[i, g]) for g in bundles[i])
            for g in bundles[i]:
                if g in type_of:
                    x[self.y[i, type_of[g]]] += 1.0
            x[self.v[i]] = vi
            on = vi >= 1
            if i in self.z:
                x[self.z[i]] = 1.0 if on else 0.0
            x[self.w[i]] = _envelope(ks, self.cap[i], vi) if on else 0.0
        return x

    def bundles(self, x: NDArray[np.float64]) -> list[list[int]]:
        """Items per party from a solution; unclaimed items go to a party valuing them most."""
        n, m = self.values.shape
        out: list[list[int]] = [[] for _ in range(n)]
        claimed: set[int] = set()
        for t, items in enumerate(self.types):
            pos = 0
            for i in self.positive:
                col = self.y.get((i, t))
                if col is None:
                    continue
                count = round(float(x[col]))
                out[i].extend(items[pos : pos + count])
                pos += count
            if pos > len(items):
                raise EngineError("item allocated twice")
            claimed.update(items[:pos])
        vals = [sum(int(self.values[i, g]) for g in out[i]) for i in range(n)]
        for g in range(m):
            if g in claimed:
                continue
            takers = [i for i in self.positive if self.values[i, g] > 0]
            if takers:
                # Best for the product among parties already positive (or any taker).
                i = max(
                    takers,
                    key=lambda j: (
                        vals[j] > 0,
                        (vals[j] + int(self.values[j, g])) / max(vals[j], 1),
                    ),
                )
            else:
                i = 0
            out[i].append(g)
            vals[i] += int(self.values[i, g])
        for b in out:
            b.sort()
        return out


def build_model(
    values: NDArray[np.int64], structure: MatchingStructure, *, presolve: bool = True
) -> _Model:
    """The MNW MILP without secant rows (callers add them) and with the cutoff row open."""
    positive = sorted((*structure.essential, *structure.optional))
    m = values.shape[1]
    columns: dict[bytes, list[int]] = {}
    for g in range(m):
        if np.any(values[positive, g] > 0):
            columns.setdefault(values[:, g].tobytes(), []).append(g)
    types = list(columns.values())
    milp = Model(presolve=presolve)
    y: dict[tuple[int, int], int] = {}
    rows: list[tuple[list[int], list[float], float, float]] = []
    for t, items in enumerate(types):
        takers = [i for i in positive if values[i, items[0]] > 0]
        cols = milp.add_vars(len(takers), 0.0, float(len(items)), integer=True)
        y.update(zip(((i, t) for i in takers), cols, strict=True))
        rows.append((list(cols), [1.0] * len(cols), float(len(items)), float(len(items))))
    cap = {i: int(values[i][values[i] > 0].sum()) for i in positive}
    essential = set(structure.essential)
    v = {
        i: milp.add_vars(1, 1.0 if i in essential else 0.0, float(cap[i]), integer=False)[0]
        for i in positive
    }
    w = {i: milp.add_vars(1, 0.0, math.log(cap[i]), integer=False, cost=1.0)[0] for i in positive}
    for i in positive:
        mine = [(col, float(values[i, types[t][0]])) for (p, t), col in y.items() if p == i]
        rows.append(([v[i], *(c for c, _ in mine)], [-1.0, *(a for _, a in mine)], 0.0, 0.0))
    z: dict[int, int] = {}
    if structure.optional:
        for i in structure.optional:
            z[i] = milp.add_vars(1, 0.0, 1.0, integer=True)[0]
            rows.append(([v[i], z[i]], [1.0, -1.0], 0.0, math.inf))  # z_i = 1 => v_i >= 1
            rows.append(([w[i], z[i]], [1.0, -math.log(cap[i])], -math.inf, 0.0))
        needed = float(structure.size - len(structure.essential))
        rows.append(([z[i] for i in structure.optional], [1.0] * len(z), needed, needed))
    # Symmetry: among parties valuing everything alike, any optimum can be permuted so that
    # their values (and, for optional parties, their being positive) do not increase.
    groups = identical_groups(values, structure.essential)
    for group in [*groups, *identical_groups(values, structure.optional)]:
        for a, b in itertools.pairwise(group):
            rows.append(([v[a], v[b]], [1.0, -1.0], 0.0, math.inf))
            if a in z and b in z:
                rows.append(([z[a], z[b]], [1.0, -1.0], 0.0, math.inf))
    all_alike = len(groups) == 1 and len(groups[0]) == len(positive)
    if all_alike:
        # Everyone values the items alike: with bundles sorted by value, the k most valuable
        # bundles hold at least the k most valuable items (in an optimum every item is given).
        group = groups[0]
        items = sorted((int(values[group[0], g]) for g in range(m)), reverse=True)
        for k in range(1, len(group)):
            rows.append(([v[i] for i in group[:k]], [1.0] * k, float(sum(items[:k])), math.inf))
    milp.add_rows(rows)
    w_cols = list(w.values())
    cutoff_row = milp.add_rows([(w_cols, [ROW_SCALE] * len(w_cols), -math.inf, math.inf)])
    return _Model(milp, values, positive, types, y, v, w, z, cap, cutoff_row, all_alike)


def score(values: NDArray[np.int64], bundles: list[list[int]]) -> tuple[int, int, list[int]]:
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


def no_free_gift(values: NDArray[np.int64], bundles: Sequence[Sequence[int]]) -> bool:
    """No item is held by a party valuing it 0 while another values it positively."""
    for i, bundle in enumerate(bundles):
        for g in bundle:
            if values[i, g] == 0 and bool(np.any(values[:, g] > 0)):
                return False
    return True


def goal(product: int) -> float:
    """log of the product a better allocation must reach (see the module docstring)."""
    if product < EXACT_PRODUCT_LIMIT:
        # Halfway between log(P) and log(P + 1): no numerically thin sliver.
        return math.log(product + 1) - 0.5 / (product + 1)
    return math.log(product) + _LOG_TOL


def proven_gap(product: int) -> float:
    """The log gap proven when nothing reaches :func:`goal`: none below the exact limit."""
    return 0.0 if product < EXACT_PRODUCT_LIMIT else _LOG_TOL
