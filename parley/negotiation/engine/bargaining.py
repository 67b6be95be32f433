"""Multi-issue package bargaining: Nash, Kalai-Smorodinsky and egalitarian (leximin).

Every party privately rates the issues: integer weights summing to 100 and an
integer score 0-100 per option.  A package picks one option per issue and is
worth ``sum(weight * score) / 100`` to a party.  We work with ``100 * utility``,
an integer, so every comparison that decides the outcome is exact.

Selection rule, identical for both solvers (so their answers can be compared
package for package):

1. Only packages giving every party strictly more than its disagreement
   utility are eligible; if there is none the result is :class:`NoAgreement`.
2. Among eligible packages keep those optimal for the criterion (Nash product
   of gains; smallest gain/(ideal - disagreement) ratio; leximin of gains).
3. Pareto step: among those keep the ones with the largest total utility.  For
   Nash and leximin every optimal package is already Pareto-optimal, so this
   only breaks ties; for Kalai-Smorodinsky it moves off weakly dominated optima.
4. Return the lexicographically smallest package (by option index).

How the MILP (binary x[issue, option], one option per issue) reaches the same
answer: Nash maximises sum W_i where W_i lies below secants of log through
consecutive integers of the integer gain (exact at integers), adding secants
at each solution until the bound meets the incumbent's exact log product; the
optimal set is then "sum W >= log P* - margin", and every package HiGHS returns
from it is checked with exact integer products (impostors are excluded).
Kalai-Smorodinsky maximises t with t * base_i <= gain_i and then asks for
gain_i >= floor(t* base_i) + 1 for all i until that is infeasible, so t* is
exact.  Leximin maximises, in turn, the sum of the k smallest gains
(Ogryczak), each an integer certified by the bound.  The Pareto step and the
lexicographic pass (fix issue by issue to its smallest feasible option; skipped
when the optimum is unique) use integer objectives as well.  Limit: Nash
products at or above ``EXACT_PRODUCT_LIMIT`` (three or more parties) are
optimal to HiGHS's tolerance, about 1e-9 relative, not provably exactly.

Options that are dominated within an issue (another option of the same issue is
at least as good for all parties and better for one, or equally good and has a
smaller index) never appear in the result, because the result is
Pareto-optimal and lexicographically smallest; both solvers drop them first.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from ._milp import MilpModel, MilpSolution
from .types import EngineError, Method, NoAgreement, PackageResult, Solution

Ratings = Sequence[tuple[Sequence[int], Sequence[Sequence[int]]]]
"""Per party: (weights per issue, scores[issue][option])."""

Rule = Literal["nash", "kalai_smorodinsky", "egalitarian", "utilitarian"]

WEIGHT_TOTAL = 100
MAX_SCORE = 100
DEFAULT_ENUMERATION_LIMIT = 200_000
_LOG_TOL = 1e-9
_INT_TOL = 1e-6
_MAX_ROUNDS = 10_000
_TAIL_ROUNDS = 50
EXACT_PRODUCT_LIMIT = 10**8
"""Nash products below this are certified exactly; above, by the solver's log gap."""
SOLVER_SLACK = 1e-6
"""Largest log gap attributable to HiGHS's tolerances that we accept as converged."""
_ROW_SCALE = 1000.0
"""Secant rows are scaled so HiGHS's absolute row tolerance barely loosens the log envelope."""
_SET_MARGIN = 1e-6
"""Slack of the "Nash-optimal" row; keeps HiGHS off a numerically thin sliver.
Packages it lets in that are not optimal are rejected exactly and excluded."""


@dataclass(frozen=True, slots=True)
class PackageSpace:
    """Validated ratings: ``contrib[e][o, i]`` is ``weight_i(e) * score_i(e, o)``."""

    n: int
    option_counts: tuple[int, ...]
    contrib: tuple[NDArray[np.int64], ...]

    def utilities100(self, package: Sequence[int]) -> tuple[int, ...]:
        """``100 * utility`` of each party, exact."""
        if len(package) != len(self.option_counts):
            raise ValueError("package must choose one option per issue")
        totals = [0] * self.n
        for e, o in enumerate(package):
            if isinstance(o, bool) or not isinstance(o, int | np.integer):
                raise TypeError("option indices must be ints")
            if not 0 <= o < self.option_counts[e]:
                raise ValueError(f"issue {e}: option {o} out of range")
            row = self.contrib[e][int(o)]
            for i in range(self.n):
                totals[i] += int(row[i])
        return tuple(totals)


def _check_int(value: object, lo: int, hi: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{what} must be an int, got {value!r}")
    if not lo <= int(value) <= hi:
        raise ValueError(f"{what} must lie in [{lo}, {hi}], got {value}")
    return int(value)


def parse_ratings(ratings: Ratings) -> PackageSpace:
    """Validate ratings and precompute per-issue contribution tables.

    Preconditions: at least two parties rating the same issues with the same
    option counts; weights are ints >= 0 summing to 100; scores are ints 0-100.
    """
    if len(ratings) < 2:
        raise ValueError("bargaining needs at least two parties")
    n = len(ratings)
    weights0, scores0 = ratings[0]
    num_issues = len(weights0)
    if num_issues == 0:
        raise ValueError("there must be at least one issue")
    counts = tuple(len(s) for s in scores0)
    if len(counts) != num_issues or any(k == 0 for k in counts):
        raise ValueError("every issue needs at least one option")
    tables = [np.zeros((k, n), dtype=np.int64) for k in counts]
    for i, (weights, scores) in enumerate(ratings):
        if len(weights) != num_issues or len(scores) != num_issues:
            raise ValueError(f"party {i}: ratings cover a different set of issues")
        ws = [_check_int(w, 0, WEIGHT_TOTAL, f"party {i} weight") for w in weights]
        if sum(ws) != WEIGHT_TOTAL:
            raise ValueError(f"party {i}: weights must sum to {WEIGHT_TOTAL}")
        for e in range(num_issues):
            if len(scores[e]) != counts[e]:
                raise ValueError(f"party {i}: issue {e} has a different number of options")
            for o, s in enumerate(scores[e]):
                tables[e][o, i] = ws[e] * _check_int(s, 0, MAX_SCORE, f"party {i} score")
    return PackageSpace(n=n, option_counts=counts, contrib=tuple(tables))


def package_utilities(ratings: Ratings, package: Sequence[int]) -> tuple[Fraction, ...]:
    """Each party's utility (0-100 scale, exact) for a package; server-side only."""
    space = parse_ratings(ratings)
    return tuple(Fraction(u, 100) for u in space.utilities100(package))


@dataclass(frozen=True, slots=True)
class _Reduced:
    """Per issue: kept option indices (ascending) and their contribution rows."""

    candidates: tuple[tuple[int, ...], ...]
    contrib: tuple[NDArray[np.int64], ...]

    @property
    def size(self) -> int:
        return math.prod(len(c) for c in self.candidates)


def _reduce(space: PackageSpace) -> _Reduced:
    """Drop options that cannot be in a Pareto-optimal, lexicographically smallest package."""
    candidates: list[tuple[int, ...]] = []
    contrib: list[NDArray[np.int64]] = []
    for table in space.contrib:
        keep: list[int] = []
        for o in range(table.shape[0]):
            row = table[o]
            dominated = False
            for p in range(table.shape[0]):
                if p == o:
                    continue
                other = table[p]
                if bool(np.all(other >= row)) and (bool(np.any(other > row)) or p < o):
                    dominated = True
                    break
            if not dominated:
                keep.append(o)
        candidates.append(tuple(keep))
        contrib.append(table[keep])
    return _Reduced(candidates=tuple(candidates), contrib=tuple(contrib))


@dataclass(frozen=True, slots=True)
class _Target:
    """Gains in integers: ``gain_i = scale * U_i - offset_i`` with ``U = 100 * utility``.

    ``ratio_base`` is ``scale * ideal_i - offset_i`` (Kalai-Smorodinsky).
    """

    scale: int
    offset: tuple[int, ...]
    ratio_base: tuple[int, ...]


def _target(reduced: _Reduced, n: int, disagreement100: Sequence[Fraction]) -> _Target:
    scale = math.lcm(*(d.denominator for d in disagreement100)) if disagreement100 else 1
    offset = tuple(int(d * scale) for d in disagreement100)
    ideal = [sum(int(t[:, i].max()) for t in reduced.contrib) for i in range(n)]
    if scale * 100 * WEIGHT_TOTAL * MAX_SCORE * n >= 2**62:
        raise ValueError("disagreement values have too large denominators")
    return _Target(
        scale=scale,
        offset=offset,
        ratio_base=tuple(scale * ideal[i] - offset[i] for i in range(n)),
    )


# ---------------------------------------------------------------------------
# Exact selection over an explicit list of candidate packages
# ---------------------------------------------------------------------------


def _optimal_rows(gains: NDArray[np.int64], rule: Rule, target: _Target) -> NDArray[np.intp]:
    """Rows that are eligible and optimal for ``rule`` (step 1 and 2), ascending."""
    if rule == "utilitarian":
        return np.flatnonzero(np.all(gains >= 0, axis=1))
    idx = np.flatnonzero(np.all(gains > 0, axis=1))
    if idx.size == 0:
        return idx
    g = gains[idx]
    if rule == "nash":
        score = np.log(g.astype(np.float64)).sum(axis=1)
        near = idx[score >= score.max() - _LOG_TOL]
        products = [math.prod(int(v) for v in gains[r]) for r in near]
        best = max(products)
        return np.array([r for r, p in zip(near, products, strict=True) if p == best], np.intp)
    if rule == "kalai_smorodinsky":
        base = np.array(target.ratio_base, dtype=np.float64)
        score = (g / base).min(axis=1)
        near = idx[score >= score.max() - _LOG_TOL]
        ratios = [
            min(Fraction(int(gains[r, i]), target.ratio_base[i]) for i in range(gains.shape[1]))
            for r in near
        ]
        top = max(ratios)
        return np.array([r for r, q in zip(near, ratios, strict=True) if q == top], np.intp)
    # egalitarian: lexicographic maximum of the sorted gain vectors, in integers.
    ordered = np.sort(g, axis=1)
    keep = np.arange(idx.size)
    for k in range(ordered.shape[1]):
        column = ordered[keep, k]
        keep = keep[column == column.max()]
    return idx[keep]


def _select(
    gains: NDArray[np.int64], totals: NDArray[np.int64], rule: Rule, target: _Target
) -> int | None:
    """Steps 1-4 over rows listed in lexicographic package order; None if none is eligible."""
    rows = _optimal_rows(gains, rule, target)
    if rows.size == 0:
        return None
    best = totals[rows].max()
    return int(rows[totals[rows] == best][0])


def _solve_by_enumeration(
    reduced: _Reduced, n: int, rule: Rule, target: _Target
) -> tuple[int, ...] | None:
    utilities = np.zeros((1, n), dtype=np.int64)
    for table in reduced.contrib:
        utilities = (utilities[:, None, :] + table[None, :, :]).reshape(-1, n)
    gains = target.scale * utilities - np.array(target.offset, dtype=np.int64)
    row = _select(gains, utilities.sum(axis=1), rule, target)
    if row is None:
        return None
    digits: list[int] = []
    for cand in reversed(reduced.candidates):
        row, digit = divmod(row, len(cand))
        digits.append(cand[digit])
    return tuple(reversed(digits))


# ---------------------------------------------------------------------------
# MILP solver
# ---------------------------------------------------------------------------


class _BetterFound(Exception):
    """A package beat the certified Nash optimum (only possible in a float near-tie)."""

    def __init__(self, choice: tuple[int, ...]) -> None:
        super().__init__("better package found")
        self.choice = choice


class _PackageMilp:
    """Binary x[issue, option] (one per issue) over the issues that still have a choice.

    A "choice" is the tuple of kept-option positions for those issues.
    """

    def __init__(self, reduced: _Reduced, n: int, target: _Target) -> None:
        self.reduced = reduced
        self.n = n
        self.target = target
        self.free = [e for e, c in enumerate(reduced.candidates) if len(c) > 1]
        self.const_u = [0] * n
        for e, cand in enumerate(reduced.candidates):
            if len(cand) == 1:
                for i in range(n):
                    self.const_u[i] += int(reduced.contrib[e][0, i])
        self.model = MilpModel()
        self.x: list[range] = []
        columns: list[NDArray[np.int64]] = []
        for e in self.free:
            k = len(reduced.candidates[e])
            rng = self.model.add_vars(k, 0.0, 1.0, integer=True)
            self.x.append(rng)
            self.model.add_row(list(rng), [1.0] * k, 1.0, 1.0)
            columns.append(reduced.contrib[e])
        self.num_x = self.model.num_vars
        self.coef_u: NDArray[np.int64] = (
            np.concatenate(columns, axis=0).T if columns else np.zeros((n, 0), dtype=np.int64)
        )
        self.x_idx = np.arange(self.num_x, dtype=np.int64)
        self.gain0 = [target.scale * self.const_u[i] - target.offset[i] for i in range(n)]
        self.accept: Callable[[tuple[int, ...]], bool] = lambda _choice: True
        self._secants: set[tuple[int, int]] = set()
        self._nash_w = range(0)
        self._gvar = range(0)
        self._nash_row = -1
        self._margin = _SET_MARGIN
        self._nash_product = 0

    # -- exact evaluation ---------------------------------------------------

    def utilities(self, choice: tuple[int, ...]) -> list[int]:
        u = list(self.const_u)
        for pos, e in enumerate(self.free):
            row = self.reduced.contrib[e][choice[pos]]
            for i in range(self.n):
                u[i] += int(row[i])
        return u

    def gains(self, choice: tuple[int, ...]) -> list[int]:
        u = self.utilities(choice)
        return [self.target.scale * u[i] - self.target.offset[i] for i in range(self.n)]

    def decode(self, x: NDArray[np.float64]) -> tuple[int, ...]:
        choice: list[int] = []
        for rng in self.x:
            vals = x[rng.start : rng.stop]
            o = int(np.argmax(vals))
            if vals[o] < 0.5:
                raise EngineError("MILP returned a fractional package")
            choice.append(o)
        return tuple(choice)

    def package(self, choice: tuple[int, ...]) -> tuple[int, ...]:
        out: list[int] = []
        pos = 0
        for cand in self.reduced.candidates:
            if len(cand) == 1:
                out.append(cand[0])
            else:
                out.append(cand[choice[pos]])
                pos += 1
        return tuple(out)

    # -- rows in terms of gains ----------------------------------------------

    def gain_coeffs(self, i: int) -> NDArray[np.float64]:
        coeffs: NDArray[np.float64] = (self.target.scale * self.coef_u[i]).astype(np.float64)
        return coeffs

    def add_gain_floor(self, i: int, floor: int) -> None:
        """gain_i >= floor (integers, so exact)."""
        self.model.add_row(self.x_idx, self.gain_coeffs(i), float(floor - self.gain0[i]), math.inf)

    def nogood(self, choice: tuple[int, ...]) -> tuple[list[int], list[float], float, float]:
        idx = [self.x[pos][o] for pos, o in enumerate(choice)]
        return idx, [1.0] * len(idx), -math.inf, float(len(idx) - 1)

    def solve(
        self,
        objective: dict[int, float],
        maximize: bool,
        extra_rows: Sequence[tuple[Sequence[int], Sequence[float], float, float]] = (),
        expect_feasible: bool = False,
    ) -> tuple[tuple[int, ...], MilpSolution] | None:
        """Optimal solution whose package passes ``self.accept`` (which may add rows and reject).

        ``expect_feasible`` marks solves where a known package is feasible; if
        HiGHS still reports infeasibility (seen with the near-degenerate
        Nash-optimal row) we widen that row's margin and retry.
        """
        for _ in range(_MAX_ROUNDS):
            sol = self.model.solve(objective, maximize=maximize, extra_rows=extra_rows)
            if sol is None and expect_feasible and self._nash_row >= 0 and self._margin < 1e-3:
                self._margin *= 10
                self.model.set_row_lower(
                    self._nash_row, math.log(self._nash_product) - self._margin
                )
                continue
            if sol is None:
                if expect_feasible:
                    raise EngineError("HiGHS reported a feasible model as infeasible")
                return None
            choice = self.decode(sol.x)
            if self.accept(choice):
                return choice, sol
        raise EngineError("MILP verification did not converge")

    def improve_integer(
        self,
        objective: dict[int, float],
        exact_value: Callable[[tuple[int, ...]], int],
        at_least_row: Callable[[int], tuple[list[int], list[float], float, float]],
        expect_feasible: bool = False,
    ) -> tuple[int, ...] | None:
        """Maximise an objective that is an integer at every package; certify exactly.

        HiGHS's bound proves optimality when it is below value + 1; otherwise we
        ask for a package with value >= value + 1 until none exists.
        """
        found = self.solve(objective, maximize=True, expect_feasible=expect_feasible)
        if found is None:
            return None
        choice, sol = found
        value = exact_value(choice)
        while sol.bound >= value + 1 - _INT_TOL:
            better = self.solve({}, maximize=True, extra_rows=[at_least_row(value + 1)])
            if better is None:
                break
            choice, sol = better
            value = exact_value(choice)
        return choice

    # -- stages ------------------------------------------------------------

    def _secant_rows(self, w: int, i: int, ks: Sequence[int]) -> bool:
        """W_i <= log k + (log(k+1) - log k) * (gain_i - k): exact at integers k and k+1.

        Rows are multiplied by ``_ROW_SCALE`` so HiGHS's absolute feasibility
        tolerance allows W_i to exceed the envelope only by a negligible amount.
        Returns whether any row was new.
        """
        added = False
        for k in ks:
            if (i, k) in self._secants:
                continue
            self._secants.add((i, k))
            slope = math.log(k + 1) - math.log(k)
            self.model.add_row(
                [w, self._gvar[i]],
                [_ROW_SCALE, -_ROW_SCALE * slope],
                -math.inf,
                _ROW_SCALE * (math.log(k) - slope * k),
            )
            added = True
        return added

    def nash(self, seed: tuple[int, ...] | None = None) -> tuple[int, ...] | None:
        """Cutting planes on log until the MILP bound meets the incumbent's exact value."""
        n = self.n
        top = [self.target.ratio_base[i] for i in range(n)]  # best possible gain per party
        if min(top) < 1:
            return None
        w = self.model.add_vars(n, 0.0, 0.0, integer=False)
        self._gvar = self.model.add_vars(n, 1.0, 1.0, integer=False)
        for i in range(n):
            self.model.ub[w[i]] = math.log(top[i])
            self.model.ub[self._gvar[i]] = float(top[i])
            # gain variable: g_i = gain_i(x), so each secant row has two entries.
            self.model.add_row(
                np.concatenate(([self._gvar[i]], self.x_idx)),
                np.concatenate(([1.0], -self.gain_coeffs(i))),
                float(self.gain0[i]),
                float(self.gain0[i]),
            )
            self.add_gain_floor(i, 1)
            grid = {1, max(1, top[i] - 1)}
            grid.update(max(1, round(top[i] ** (j / 8))) for j in range(1, 8))
            self._secant_rows(w[i], i, sorted(grid))
        objective = {w[i]: 1.0 for i in range(n)}
        best = seed
        best_product = math.prod(self.gains(seed)) if seed is not None else 0
        for _ in range(_MAX_ROUNDS):
            found = self.solve(objective, maximize=True)
            if found is None:
                return None
            choice, sol = found
            g = self.gains(choice)
            product = math.prod(g)
            if product > best_product or (
                product == best_product and best is not None and choice < best
            ):
                best, best_product = choice, product
            assert best is not None
            best_log = math.fsum(math.log(v) for v in self.gains(best))
            if sol.bound <= best_log + _LOG_TOL:
                break
            if not self._cut_at(w, choice, sol.x):
                # The envelope is already exact at the solution, so HiGHS's own
                # value is the true optimum of the model; only its bound was loose.
                if sol.bound <= best_log + SOLVER_SLACK:
                    break
                raise EngineError("Nash cutting planes stalled")
        else:
            raise EngineError("Nash cutting planes did not converge")
        assert best is not None
        best, best_product = self._nash_exact_tail(w, objective, best, best_product, sol.bound)
        self._nash_w = w
        self._nash_product = best_product
        self._nash_set_row()
        self.accept = self._accept_nash
        return best

    def _nash_exact_tail(
        self,
        w: range,
        objective: dict[int, float],
        best: tuple[int, ...],
        best_product: int,
        bound: float,
    ) -> tuple[tuple[int, ...], int]:
        """Rule out, exactly, a package with product >= best + 1 hiding in the float tolerance.

        Only needed when ``log(best + 1)`` is within the solver's resolution of
        the bound; asks for a package whose log envelope reaches
        ``log(best + 1)`` and inspects it exactly.  Beyond
        ``EXACT_PRODUCT_LIMIT`` that difference is below float resolution and
        the 1e-9 log gap is the certificate.
        """
        skip: list[tuple[list[int], list[float], float, float]] = []
        for _ in range(_TAIL_ROUNDS):
            goal = math.log(best_product + 1)
            if bound < goal - 1e-12 or best_product >= EXACT_PRODUCT_LIMIT:
                return best, best_product
            # Halfway between log(best) and log(best + 1): no sliver, and the
            # incumbent itself is excluded with a clear margin.
            row = (list(w), [1.0] * len(w), goal - 0.5 / (best_product + 1), math.inf)
            found = self.solve(objective, maximize=True, extra_rows=[row, *skip])
            if found is None:
                return best, best_product
            choice, sol = found
            bound = sol.bound
            product = math.prod(self.gains(choice))
            if product > best_product:
                best, best_product = choice, product
            elif not self._cut_at(w, choice, sol.x):
                skip.append(self.nogood(choice))  # float near-tie, not better: skip it here only
        # Still within the solver's tolerance of optimal; the caller's bound check stands.
        return best, best_product

    def _cut_at(self, w: range, choice: tuple[int, ...], x: NDArray[np.float64]) -> bool:
        """Make the envelope exact at this package's gains; whether anything changed."""
        added = False
        for i, g in enumerate(self.gains(choice)):
            if x[w[i]] > math.log(g) + 1e-12:
                added |= self._secant_rows(w[i], i, [k for k in (g - 1, g) if k >= 1])
        return added

    def _nash_set_row(self) -> None:
        w = self._nash_w
        g_log = math.log(self._nash_product)
        self._nash_row = self.model.add_row(list(w), [1.0] * len(w), g_log - self._margin, math.inf)

    def _accept_nash(self, choice: tuple[int, ...]) -> bool:
        g = self.gains(choice)
        if min(g) < 1:
            raise EngineError("MILP package violates the gain floor")
        product = math.prod(g)
        if product == self._nash_product:
            return True
        if product > self._nash_product:
            raise _BetterFound(choice)
        # Make the log envelope exact at this package, which then violates the
        # optimal-set row, unless it is a float near-tie: exclude that outright.
        for i, v in enumerate(g):
            self._secant_rows(self._nash_w[i], i, [k for k in (v - 1, v) if k >= 1])
        if math.fsum(math.log(v) for v in g) >= math.log(self._nash_product) - 2 * self._margin:
            idx, coeffs, lo, hi = self.nogood(choice)
            self.model.add_row(idx, coeffs, lo, hi)
        return False

    def kalai_smorodinsky(self) -> tuple[int, ...] | None:
        """Max t with t * base_i <= gain_i, then certify exactly over the integers."""
        base = self.target.ratio_base
        if min(base) < 1:
            return None
        t = self.model.add_vars(1, 0.0, 1.0, integer=False)[0]
        for i in range(self.n):
            self.add_gain_floor(i, 1)
            self.model.add_row(
                np.concatenate(([t], self.x_idx)),
                np.concatenate(([float(base[i])], -self.gain_coeffs(i))),
                -math.inf,
                float(self.gain0[i]),
            )
        found = self.solve({t: 1.0}, maximize=True)
        if found is None:
            return None
        choice = found[0]
        while True:
            ratio = min(Fraction(v, base[i]) for i, v in enumerate(self.gains(choice)))
            # A strictly better package has gain_i > ratio * base_i for every i.
            rows: list[tuple[Sequence[int], Sequence[float], float, float]] = []
            for i in range(self.n):
                floor = math.floor(ratio * base[i]) + 1
                rows.append(
                    (
                        self.x_idx.tolist(),
                        self.gain_coeffs(i).tolist(),
                        float(floor - self.gain0[i]),
                        math.inf,
                    )
                )
            better = self.solve({}, maximize=True, extra_rows=rows)
            if better is None:
                break
            choice = better[0]
        for i in range(self.n):
            self.add_gain_floor(i, math.ceil(ratio * base[i]))
        return choice

    def egalitarian(self) -> tuple[int, ...] | None:
        """Leximin: successively maximise the sum of the k smallest gains (Ogryczak)."""
        n = self.n
        for i in range(n):
            self.add_gain_floor(i, 1)
        choice: tuple[int, ...] | None = None
        for k in range(1, n + 1):
            t = self.model.add_vars(1, -math.inf, math.inf, integer=False)[0]
            y = self.model.add_vars(n, 0.0, math.inf, integer=False)
            for i in range(n):
                self.model.add_row(
                    np.concatenate(([y[i], t], self.x_idx)),
                    np.concatenate(([1.0, -1.0], self.gain_coeffs(i))),
                    float(-self.gain0[i]),
                    math.inf,
                )
            objective = {t: float(k)} | {y[i]: -1.0 for i in range(n)}
            kk = k

            def smallest(c: tuple[int, ...], kk: int = kk) -> int:
                return sum(sorted(self.gains(c))[:kk])

            def at_least(
                value: int, t: int = t, y: range = y, kk: int = kk
            ) -> tuple[list[int], list[float], float, float]:
                return [t, *y], [float(kk)] + [-1.0] * n, float(value), math.inf

            choice = self.improve_integer(objective, smallest, at_least)
            if choice is None:
                return None
            idx, coeffs, lo, hi = at_least(smallest(choice))
            self.model.add_row(idx, coeffs, lo, hi)
        return choice

    def utilitarian(self) -> tuple[int, ...] | None:
        """Nobody below its floor (gain >= 0); the total is maximised in :meth:`max_total`."""
        for i in range(self.n):
            self.add_gain_floor(i, 0)
        found = self.solve({}, maximize=True)
        return None if found is None else found[0]

    def max_total(self) -> tuple[int, ...]:
        """Pareto step: largest total utility within the optimal set, certified exactly."""
        totals = self.coef_u.sum(axis=0).astype(np.float64)
        const = sum(self.const_u)

        def total(c: tuple[int, ...]) -> int:
            return sum(self.utilities(c))

        def at_least(value: int) -> tuple[list[int], list[float], float, float]:
            return list(self.x_idx), list(totals), float(value - const), math.inf

        objective = {j: float(totals[j]) for j in range(self.num_x)}
        choice = self.improve_integer(objective, total, at_least, expect_feasible=True)
        if choice is None:
            raise EngineError("optimal set became empty")
        idx, coeffs, lo, hi = at_least(total(choice))
        self.model.add_row(idx, coeffs, lo, hi)
        return choice

    def is_unique(self, incumbent: tuple[int, ...]) -> bool:
        """Whether no other package lies in the optimal set."""
        if not self.free:
            return True
        return self.solve({}, maximize=True, extra_rows=[self.nogood(incumbent)]) is None

    def lexmin(self, incumbent: tuple[int, ...]) -> tuple[int, ...]:
        """Lexicographically smallest package in the optimal set (fix issues one by one)."""
        if self.is_unique(incumbent):
            return incumbent
        for pos in range(len(self.free)):
            if incumbent[pos] != 0:
                rng = self.x[pos]
                objective = {rng[o]: float(o) for o in range(len(rng))}
                found = self.solve(objective, maximize=False, expect_feasible=True)
                if found is None:
                    raise EngineError("optimal set became empty")
                choice, sol = found
                if choice[pos] > incumbent[pos] or sol.bound <= choice[pos] - 1 + _INT_TOL:
                    raise EngineError("lexicographic pass lost optimality")
                incumbent = choice
            self.model.lb[self.x[pos][incumbent[pos]]] = 1.0
        return incumbent


def _solve_by_milp(
    reduced: _Reduced, n: int, rule: Rule, target: _Target
) -> tuple[int, ...] | None:
    seed: tuple[int, ...] | None = None
    for _ in range(100):
        solver = _PackageMilp(reduced, n, target)
        try:
            if rule == "nash":
                choice = solver.nash(seed)
            elif rule == "kalai_smorodinsky":
                choice = solver.kalai_smorodinsky()
            elif rule == "egalitarian":
                choice = solver.egalitarian()
            else:
                choice = solver.utilitarian()
            if choice is None:
                return None
            if rule == "nash" and solver.is_unique(choice):
                return solver.package(choice)  # the common case: skip the tie-breaking stages
            if rule != "egalitarian":  # leximin fixes the sorted gains, hence the total
                choice = solver.max_total()
            return solver.package(solver.lexmin(choice))
        except _BetterFound as better:
            seed = better.choice  # a float near-tie beat the incumbent; restart from it
    raise EngineError("Nash optimum could not be certified")


def solve_packages(
    space: PackageSpace,
    rule: Rule,
    disagreement100: Sequence[Fraction],
    method: Method = "auto",
    enumeration_limit: int = DEFAULT_ENUMERATION_LIMIT,
) -> tuple[tuple[int, ...] | None, Literal["enumerate", "milp"]]:
    """Apply the selection rule; ``disagreement100`` is 100 x each party's disagreement utility."""
    reduced = _reduce(space)
    target = _target(reduced, space.n, disagreement100)
    use_milp = method == "milp" or (method == "auto" and reduced.size > enumeration_limit)
    if use_milp:
        return _solve_by_milp(reduced, space.n, rule, target), "milp"
    return _solve_by_enumeration(reduced, space.n, rule, target), "enumerate"


def _as_fraction(value: object) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | Fraction):
        raise TypeError(f"disagreement values must be ints or Fractions, got {value!r}")
    return Fraction(value)


def bargain(
    ratings: Ratings,
    solution: Solution = "nash",
    disagreement: Sequence[int | Fraction] | None = None,
    *,
    method: Method = "auto",
    enumeration_limit: int = DEFAULT_ENUMERATION_LIMIT,
) -> PackageResult | NoAgreement:
    """Choose a package by Nash, Kalai-Smorodinsky or egalitarian (leximin) bargaining.

    Preconditions: see :func:`parse_ratings`; ``disagreement`` (utility on the
    0-100 scale per party, default 0) is what each party gets with no deal.
    ``method="auto"`` enumerates when at most ``enumeration_limit`` packages
    remain after dropping dominated options and uses the MILP otherwise; both
    give the same package (see the module docstring for the exact rule).
    """
    if solution not in ("nash", "kalai_smorodinsky", "egalitarian"):
        raise ValueError(f"unknown solution {solution!r}")
    space = parse_ratings(ratings)
    if disagreement is None:
        d100 = [Fraction(0)] * space.n
    else:
        if len(disagreement) != space.n:
            raise ValueError("one disagreement value per party is required")
        d100 = [100 * _as_fraction(d) for d in disagreement]
    package, used = solve_packages(space, solution, d100, method, enumeration_limit)
    if package is None:
        return NoAgreement(
            solution=solution,
            reason="no package gives every party more than its disagreement utility",
        )
    return PackageResult(
        package=package,
        utilities=tuple(Fraction(u, 100) for u in space.utilities100(package)),
        solution=solution,
        method=used,
    )
