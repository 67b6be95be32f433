"""A MILP kept alive across rounds, on ``highspy`` (the HiGHS project's own Python API).

Why not ``scipy.optimize.milp`` here (the bargaining MILPs use it): a lazy-cut
loop needs what scipy cannot give, namely rows appended to the same model,
a start solution (the incumbent) handed to each round, a time limit, and a
callback that reports the bound while the search runs and can stop it.
Same settings as :mod:`._milp` otherwise: one thread, both MIP gaps at 0,
tight tolerances.
"""

from __future__ import annotations

import enum
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import highspy
import numpy as np
from highspy.highs import HighsCallbackEvent
from numpy.typing import NDArray

from .types import EngineError

OPTIONS: dict[str, bool | int | float | str] = {
    "threads": 1,
    "mip_rel_gap": 0.0,
    "mip_abs_gap": 0.0,
    "mip_feasibility_tolerance": 1e-9,
    "primal_feasibility_tolerance": 1e-9,
    "dual_feasibility_tolerance": 1e-9,
    "random_seed": 0,
    "output_flag": False,
}


class Outcome(enum.Enum):
    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    STOPPED = "stopped"  # time limit or interrupted by the caller


@dataclass(frozen=True, slots=True)
class Result:
    """``x`` is None when no feasible point is known; ``bound`` is +inf when none was proven."""

    outcome: Outcome
    x: NDArray[np.float64] | None
    bound: float


Watcher = Callable[[float], bool]
"""Called now and then during a solve with the current bound; returns True to stop."""


class Model:
    """A maximisation MILP whose rows are appended, never removed; one row's bounds may move."""

    def __init__(self, *, presolve: bool = True) -> None:
        self._h = highspy.Highs()  # type: ignore[no-untyped-call]
        for key, value in OPTIONS.items():
            self._h.setOptionValue(key, value)
        self._presolve = "on" if presolve else "off"
        self._h.setOptionValue("presolve", self._presolve)
        self._h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.num_vars = 0
        self.num_rows = 0
        self._watcher: Watcher | None = None

    def add_vars(
        self, count: int, lb: float, ub: float, *, integer: bool, cost: float = 0.0
    ) -> range:
        start = self.num_vars
        self._h.addVars(count, np.full(count, lb), np.full(count, ub))
        idx = np.arange(start, start + count, dtype=np.int32)
        if integer:
            kind = np.full(count, highspy.HighsVarType.kInteger.value, dtype=np.uint8)
            self._h.changeColsIntegrality(count, idx, kind)
        if cost:
            self._h.changeColsCost(count, idx, np.full(count, cost))
        self.num_vars += count
        return range(start, start + count)

    def add_rows(self, rows: Sequence[tuple[Sequence[int], Sequence[float], float, float]]) -> int:
        """Append rows ``lo <= coeffs . x[indices] <= hi``; returns the first new row's index."""
        first = self.num_rows
        if not rows:
            return first
        lengths = np.array([len(r[0]) for r in rows], dtype=np.int32)
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int32)
        index = np.concatenate([np.asarray(r[0], dtype=np.int32) for r in rows])
        value = np.concatenate([np.asarray(r[1], dtype=np.float64) for r in rows])
        lo = np.array([r[2] for r in rows], dtype=np.float64)
        hi = np.array([r[3] for r in rows], dtype=np.float64)
        self._h.addRows(len(rows), lo, hi, int(lengths.sum()), starts, index, value)
        self.num_rows += len(rows)
        return first

    def set_row_bounds(self, row: int, lo: float, hi: float) -> None:
        self._h.changeRowBounds(row, _finite(lo), _finite(hi))

    def solve(
        self,
        *,
        start: NDArray[np.float64] | None = None,
        time_limit: float | None = None,
        watcher: Watcher | None = None,
        abs_gap: float = 0.0,
    ) -> Result:
        """Solve to proven optimality unless stopped; raises EngineError on numerical trouble.

        HiGHS occasionally ends a presolved run in "solve error" (its own post-check found
        the postsolved point infeasible); that run is repeated once with presolve off.
        """
        started = time.monotonic()
        self._h.setOptionValue("mip_abs_gap", abs_gap)
        if start is not None:
            idx = np.arange(self.num_vars, dtype=np.int32)
            self._h.setSolution(self.num_vars, idx, np.asarray(start, dtype=np.float64))
        result = self._run(time_limit, watcher)
        if result is None:
            self._h.setOptionValue("presolve", "off")
            try:
                left = (
                    None
                    if time_limit is None
                    else max(0.0, time_limit - (time.monotonic() - started))
                )
                result = self._run(left, watcher)
            finally:
                self._h.setOptionValue("presolve", self._presolve)
        if result is None:
            status = self._h.modelStatusToString(self._h.getModelStatus())
            raise EngineError(f"HiGHS did not prove optimality: {status}")
        return result

    def _run(self, time_limit: float | None, watcher: Watcher | None) -> Result | None:
        self._h.setOptionValue("time_limit", math.inf if time_limit is None else time_limit)
        self._watcher = watcher
        if watcher is not None:
            self._h.cbMipInterrupt.subscribe(self._on_interrupt)
        try:
            self._h.run()
        finally:
            if watcher is not None:
                self._h.cbMipInterrupt.unsubscribe(self._on_interrupt)
            self._watcher = None
        status = self._h.getModelStatus()
        info = self._h.getInfo()
        has_x = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
        x = np.asarray(self._h.getSolution().col_value, dtype=np.float64) if has_x else None
        bound = float(info.mip_dual_bound)
        if status == highspy.HighsModelStatus.kOptimal and x is not None:
            value = float(info.objective_function_value)
            return Result(Outcome.OPTIMAL, x, max(value, bound) if math.isfinite(bound) else value)
        if status == highspy.HighsModelStatus.kInfeasible:
            return Result(Outcome.INFEASIBLE, None, -math.inf)
        if status in (highspy.HighsModelStatus.kTimeLimit, highspy.HighsModelStatus.kInterrupt):
            return Result(Outcome.STOPPED, x, bound if math.isfinite(bound) else math.inf)
        return None

    def _on_interrupt(self, event: HighsCallbackEvent) -> None:
        if self._watcher is not None and self._watcher(float(event.data_out.mip_dual_bound)):
            event.interrupt()


def _finite(value: float) -> float:
    return (
        highspy.kHighsInf
        if value == math.inf
        else -highspy.kHighsInf
        if value == -math.inf
        else value
    )
