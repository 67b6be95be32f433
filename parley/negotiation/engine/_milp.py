"""Thin wrapper around ``scipy.optimize.milp`` (HiGHS) with the settings the engine relies on.

Why these settings: single-threaded so runs are deterministic and do not
compete with the web server; both MIP gaps at 0 because callers certify
optimality from the returned bound; tight feasibility tolerances because the
engine's rows carry integer data and exact post-checks reject anything HiGHS
accepted only within a loose tolerance.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

from .types import EngineError

HIGHS_OPTIONS: dict[str, object] = {
    "threads": 1,
    "mip_rel_gap": 0.0,
    "mip_abs_gap": 0.0,
    "mip_feasibility_tolerance": 1e-7,
    "primal_feasibility_tolerance": 1e-9,
    "dual_feasibility_tolerance": 1e-9,
    "random_seed": 0,
    "output_flag": False,
    "presolve": True,
}


@dataclass(frozen=True, slots=True)
class MilpSolution:
    """An optimal solution; ``value`` and ``bound`` are in the caller's sense (max or min)."""

    x: NDArray[np.float64]
    value: float
    bound: float


class MilpModel:
    """A growing MILP: variables and rows are appended, never removed.

    Rows that must disappear later are passed to :meth:`solve` as ``extra_rows``
    instead; variable bounds can be tightened in place (used to fix choices).
    """

    def __init__(self) -> None:
        self.lb: list[float] = []
        self.ub: list[float] = []
        self.integer: list[int] = []
        self._row_idx: list[NDArray[np.int64]] = []
        self._row_val: list[NDArray[np.float64]] = []
        self._row_lo: list[float] = []
        self._row_hi: list[float] = []
        self.time_limit: float | None = None

    @property
    def num_vars(self) -> int:
        return len(self.lb)

    @property
    def num_rows(self) -> int:
        return len(self._row_lo)

    def add_vars(self, count: int, lb: float, ub: float, integer: bool) -> range:
        start = len(self.lb)
        self.lb.extend([lb] * count)
        self.ub.extend([ub] * count)
        self.integer.extend([1 if integer else 0] * count)
        return range(start, start + count)

    def add_row(
        self,
        indices: Sequence[int] | NDArray[np.int64],
        coeffs: Sequence[float] | NDArray[np.float64],
        lo: float,
        hi: float,
    ) -> int:
        """Append a row ``lo <= coeffs . x[indices] <= hi``; returns its index."""
        self._row_idx.append(np.asarray(indices, dtype=np.int64))
        self._row_val.append(np.asarray(coeffs, dtype=np.float64))
        self._row_lo.append(lo)
        self._row_hi.append(hi)
        return len(self._row_lo) - 1

    def set_row_lower(self, row: int, lo: float) -> None:
        self._row_lo[row] = lo

    def solve(
        self,
        objective: dict[int, float] | NDArray[np.float64],
        *,
        maximize: bool,
        extra_rows: Sequence[tuple[Sequence[int], Sequence[float], float, float]] = (),
    ) -> MilpSolution | None:
        """Solve to proven optimality; None when infeasible.

        Raises :class:`EngineError` on any other outcome (time limit, numerical
        trouble) because callers must not act on an unproven answer.
        """
        if self.num_vars == 0:  # scipy needs at least one column
            self.add_vars(1, 0.0, 0.0, integer=False)
        n = self.num_vars
        c = np.zeros(n)
        if isinstance(objective, dict):
            for j, v in objective.items():
                c[j] = v
        else:
            c[: objective.shape[0]] = objective
        if maximize:
            c = -c
        idx = list(self._row_idx)
        val = list(self._row_val)
        lo = list(self._row_lo)
        hi = list(self._row_hi)
        for r_idx, r_val, r_lo, r_hi in extra_rows:
            idx.append(np.asarray(r_idx, dtype=np.int64))
            val.append(np.asarray(r_val, dtype=np.float64))
            lo.append(r_lo)
            hi.append(r_hi)
        constraints = []
        if idx:
            lengths = np.array([len(r) for r in idx], dtype=np.int64)
            indptr = np.concatenate(([0], np.cumsum(lengths)))
            matrix = csr_array(
                (np.concatenate(val), np.concatenate(idx), indptr), shape=(len(idx), n)
            )
            constraints.append(LinearConstraint(matrix, np.array(lo), np.array(hi)))
        options = dict(HIGHS_OPTIONS)
        if self.time_limit is not None:
            options["time_limit"] = self.time_limit
        with warnings.catch_warnings():
            # Options outside scipy's short list are passed to HiGHS verbatim, with a warning.
            warnings.simplefilter("ignore", RuntimeWarning)
            res = milp(
                c,
                integrality=np.array(self.integer, dtype=np.uint8),
                bounds=Bounds(np.array(self.lb), np.array(self.ub)),
                constraints=constraints,
                options=options,
            )
        if res.status == 2:
            return None
        if res.status != 0 or res.x is None:
            raise EngineError(f"HiGHS did not prove optimality: {res.message}")
        value = float(res.fun)
        bound = float(res.mip_dual_bound) if res.mip_dual_bound is not None else value
        if maximize:
            value, bound = -value, -bound
        return MilpSolution(x=np.asarray(res.x, dtype=np.float64), value=value, bound=bound)
