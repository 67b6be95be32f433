"""Benchmark of the negotiation engine on seeded, Spliddit-like instances.

Run ``python benchmarks/negotiation.py`` (``--quick`` for two instances per
class, ``--regenerate`` to rewrite the instance files).  Instances live in
``benchmarks/data/negotiation/`` so every run measures the same inputs; the
table is printed and written to ``benchmarks/results/negotiation.csv``.

What "gap" means per class (0 everywhere is the target):

* adjusted-winner: 1 if the exact EF/equitable/PO/one-split check fails, else 0;
* packages vs enumeration: relative difference of the criterion value between
  the MILP package and the enumerated one (and 1 if the packages differ);
* packages 2-party 50x10: relative Nash-product gap to an independent exact
  two-party Pareto-frontier computation;
* mnw brute force: relative gap of the Nash product to exhaustive search;
* mnw large: relative gap of our Nash product to the one of the raw MILP
  (the same model handed to HiGHS with every secant up front, no matching
  step, no lazy cuts); "ratio" is our time / raw time.
* mnw vs plain (identical valuations, sparse, correlated): relative gap of our
  Nash product to the one of a plain Spliddit-style MILP (binary assignment,
  secants of log at odd points, one model, one solve), 1 if our allocation is
  not EF1 or not proven optimal; "ratio" is our time / plain time, same run.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from parley.negotiation.engine import (  # noqa: E402
    PackageResult,
    adjusted_winner,
    bargain,
    check_adjusted_winner,
    check_ef1,
    max_nash_welfare,
)
from parley.negotiation.engine._milp import HIGHS_OPTIONS  # noqa: E402

DATA = ROOT / "benchmarks" / "data" / "negotiation"
RESULTS = ROOT / "benchmarks" / "results" / "negotiation.csv"
INSTANCES_PER_CLASS = 5

Ratings = list[tuple[list[int], list[list[int]]]]


# ---------------------------------------------------------------------------
# Instance generation
# ---------------------------------------------------------------------------


def spread(rng: np.random.Generator, k: int, total: int) -> list[int]:
    """Dirichlet(1) weights rounded to ints summing to ``total`` (largest remainder)."""
    w = rng.dirichlet(np.ones(k)) * total
    floor = np.floor(w).astype(np.int64)
    order = np.argsort(-(w - floor), kind="stable")
    floor[order[: total - int(floor.sum())]] += 1
    return [int(v) for v in floor]


def gen_aw(rng: np.random.Generator, m: int) -> dict[str, Any]:
    return {"points_a": spread(rng, m, 100), "points_b": spread(rng, m, 100)}


def gen_packages(rng: np.random.Generator, n: int, issues: int, options: int) -> dict[str, Any]:
    ratings = [
        (
            spread(rng, issues, 100),
            [[int(s) for s in rng.integers(0, 101, options)] for _ in range(issues)],
        )
        for _ in range(n)
    ]
    return {"ratings": ratings}


def gen_mnw(rng: np.random.Generator, n: int, m: int) -> dict[str, Any]:
    return {"valuations": [spread(rng, m, 1000) for _ in range(n)]}


def gen_identical(rng: np.random.Generator, n: int, m: int, points: int) -> dict[str, Any]:
    """Heirs or partners who value every item the same way."""
    row = spread(rng, m, points)
    return {"valuations": [list(row) for _ in range(n)]}


def gen_sparse(rng: np.random.Generator, n: int, m: int, points: int) -> dict[str, Any]:
    """Each party cares about 6 to 12 items and puts all its points on them."""
    out = []
    for _ in range(n):
        k = int(rng.integers(6, 13))
        row = [0] * m
        for g, v in zip(rng.choice(m, k, replace=False), spread(rng, k, points), strict=True):
            row[int(g)] = v
        out.append(row)
    return {"valuations": out}


def gen_correlated(rng: np.random.Generator, n: int, m: int, points: int) -> dict[str, Any]:
    """Shared market values (70 %) plus personal taste (30 %), rounded to ``points``."""
    base = rng.dirichlet(np.ones(m))
    out = []
    for _ in range(n):
        w = (0.7 * base + 0.3 * rng.dirichlet(np.ones(m))) * points
        floor = np.floor(w).astype(np.int64)
        order = np.argsort(-(w - floor), kind="stable")
        floor[order[: points - int(floor.sum())]] += 1
        out.append([int(v) for v in floor])
    return {"valuations": out}


CLASSES: list[tuple[str, str, dict[str, int]]] = [
    ("adjusted-winner", "aw", {"m": 100}),
    ("packages-2p-50x10-nash", "pk", {"n": 2, "issues": 50, "options": 10}),
    ("packages-3p-6x6-vs-enum", "pk", {"n": 3, "issues": 6, "options": 6}),
    ("packages-4p-8x4-vs-enum", "pk", {"n": 4, "issues": 8, "options": 4}),
    ("mnw-bruteforce-2x16", "mnw", {"n": 2, "m": 16}),
    ("mnw-bruteforce-3x12", "mnw", {"n": 3, "m": 12}),
    ("mnw-bruteforce-4x9", "mnw", {"n": 4, "m": 9}),
    ("mnw-10x100", "mnw", {"n": 10, "m": 100}),
    ("mnw-20x100", "mnw", {"n": 20, "m": 100}),
    ("mnw-identical-5x30-100pt", "ident", {"n": 5, "m": 30, "points": 100}),
    ("mnw-identical-10x30-100pt", "ident", {"n": 10, "m": 30, "points": 100}),
    ("mnw-identical-15x30-100pt", "ident", {"n": 15, "m": 30, "points": 100}),
    ("mnw-identical-10x30-1000pt", "ident", {"n": 10, "m": 30, "points": 1000}),
    ("mnw-sparse-20x60", "sparse", {"n": 20, "m": 60, "points": 1000}),
    ("mnw-correlated-20x100", "corr", {"n": 20, "m": 100, "points": 1000}),
]
PLAIN_INSTANCES = 3
"""Instances per class compared with the plain MILP (which takes up to ~90 s on one)."""


def generate(name: str, kind: str, params: dict[str, int], count: int) -> list[dict[str, Any]]:
    seed = sum(ord(c) * (i + 1) for i, c in enumerate(name))
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        if kind == "aw":
            out.append(gen_aw(rng, params["m"]))
        elif kind == "pk":
            out.append(gen_packages(rng, params["n"], params["issues"], params["options"]))
        elif kind == "ident":
            out.append(gen_identical(rng, params["n"], params["m"], params["points"]))
        elif kind == "sparse":
            out.append(gen_sparse(rng, params["n"], params["m"], params["points"]))
        elif kind == "corr":
            out.append(gen_correlated(rng, params["n"], params["m"], params["points"]))
        else:
            out.append(gen_mnw(rng, params["n"], params["m"]))
    return out


def load(name: str, kind: str, params: dict[str, int], regenerate: bool) -> list[dict[str, Any]]:
    path = DATA / f"{name}.json"
    if regenerate or not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        count = INSTANCES_PER_CLASS if kind in ("aw", "pk", "mnw") else PLAIN_INSTANCES
        instances = generate(name, kind, params, count)
        path.write_text(
            json.dumps({"class": name, "params": params, "instances": instances}) + "\n"
        )
    data: dict[str, Any] = json.loads(path.read_text())
    instances_loaded: list[dict[str, Any]] = data["instances"]
    return instances_loaded


# ---------------------------------------------------------------------------
# Independent references
# ---------------------------------------------------------------------------


def frontier_nash_product(ratings: Ratings) -> int:
    """Exact max Nash product for two parties (disagreement 0) via the Pareto frontier.

    Dominated partial sums can never complete to a frontier point, so the
    frontier of the first k issues is enough to extend to k + 1.
    """
    front = np.zeros((1, 2), dtype=np.int64)
    (wa, sa), (wb, sb) = ratings
    for e in range(len(wa)):
        opts = np.array(
            [[wa[e] * x, wb[e] * y] for x, y in zip(sa[e], sb[e], strict=True)], dtype=np.int64
        )
        cand = (front[:, None, :] + opts[None, :, :]).reshape(-1, 2)
        order = np.lexsort((-cand[:, 1], -cand[:, 0]))
        cand = cand[order]
        best_b = np.maximum.accumulate(cand[:, 1])
        keep = np.ones(len(cand), dtype=bool)
        keep[1:] = cand[1:, 1] > best_b[:-1]
        front = cand[keep]
    ok = front[(front[:, 0] > 0) & (front[:, 1] > 0)]
    return max(int(a) * int(b) for a, b in ok)


def brute_force_mnw(values: Sequence[Sequence[int]]) -> tuple[int, int]:
    """(max number of positive parties, max product of their values), exhaustively."""
    vals = np.array(values, dtype=np.int64)
    n, m = vals.shape
    best = (-1, 0)
    total = n**m
    chunk = 200_000
    for start in range(0, total, chunk):
        idx = np.arange(start, min(total, start + chunk), dtype=np.int64)
        owners = np.empty((idx.size, m), dtype=np.int64)
        rest = idx.copy()
        for g in range(m - 1, -1, -1):
            owners[:, g] = rest % n
            rest //= n
        bundle = np.stack([(owners == i) @ vals[i] for i in range(n)], axis=1)
        count = (bundle > 0).sum(axis=1)
        top = int(count.max())
        rows = bundle[count == top]
        logs = np.where(rows > 0, np.log(np.maximum(rows, 1)), 0.0).sum(axis=1)
        near = rows[logs >= logs.max() - 1e-9]
        product = max(math.prod(int(v) for v in r if v > 0) for r in near)
        best = max(best, (top, product))
    return best


Row = tuple[list[int], list[float], float, float]


def solve_mnw_rows(rows: list[Row], vals: Any) -> int:
    """Solve a baseline MNW model (x binary, v the bundle values, W their logs; `rows` are its
    constraints) with HiGHS at the engine's settings; the exact Nash product it found."""
    n, m = vals.shape
    nx_ = n * m
    num = nx_ + 2 * n
    cap = vals.sum(axis=1)
    lengths = [len(r[0]) for r in rows]
    indptr = np.concatenate(([0], np.cumsum(lengths)))
    matrix = csr_array(
        (np.concatenate([r[1] for r in rows]), np.concatenate([r[0] for r in rows]), indptr),
        shape=(len(rows), num),
    )
    c = np.zeros(num)
    c[nx_ + n :] = -1.0
    lb = np.concatenate((np.zeros(nx_), np.ones(n), np.zeros(n)))
    ub = np.concatenate((np.ones(nx_), cap.astype(float), np.log(cap.astype(float))))
    integrality = np.concatenate((np.ones(nx_), np.zeros(2 * n)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = milp(
            c,
            integrality=integrality,
            bounds=Bounds(lb, ub),
            constraints=[LinearConstraint(matrix, [r[2] for r in rows], [r[3] for r in rows])],
            options=dict(HIGHS_OPTIONS),
        )
    assert res.status == 0, res.message
    x = np.round(res.x[:nx_]).reshape(n, m)
    return math.prod(int(v) for v in (x * vals).sum(axis=1))


def mnw_rows(values: Sequence[Sequence[int]]) -> tuple[Any, list[Row]]:
    """The rows both baseline models share: each good goes to exactly one party, and each
    party's utility variable equals the value of what it gets."""
    vals = np.array(values, dtype=np.int64)
    n, m = vals.shape
    nx_ = n * m
    rows: list[Row] = []
    for g in range(m):
        rows.append(([i * m + g for i in range(n)], [1.0] * n, 1.0, 1.0))
    for i in range(n):
        rows.append(([nx_ + i, *range(i * m, (i + 1) * m)], [-1.0, *map(float, vals[i])], 0.0, 0.0))
    return vals, rows


def raw_mnw(values: Sequence[Sequence[int]]) -> int:
    """The MNW MILP handed to HiGHS as is: all pairs, every secant up front, no matching step.

    Assumes every party can be positive at once (true for these instances).
    Returns the exact Nash product of HiGHS's allocation.
    """
    vals, rows = mnw_rows(values)
    n, m = vals.shape
    nx_, cap = n * m, vals.sum(axis=1)
    for i in range(n):
        for k in range(1, int(cap[i])):
            slope = math.log(k + 1) - math.log(k)
            at0 = math.log(k) - slope * k
            rows.append(
                ([nx_ + n + i, nx_ + i], [1000.0, -1000.0 * slope], -math.inf, 1000.0 * at0)
            )
    return solve_mnw_rows(rows, vals)


def plain_mnw(values: Sequence[Sequence[int]]) -> int:
    """A plain Spliddit-style MNW MILP: binary assignment, secants of log at odd points.

    One model, one solve, HiGHS with the engine's settings (one thread, gap 0).
    The secant through (k, log k) and (k + 1, log(k + 1)) for odd k is exact at
    both integers, so the odd ones cover every integer value.  Assumes every
    party can be positive at once (true for these instances).  Returns the exact
    Nash product of HiGHS's allocation.
    """
    vals, rows = mnw_rows(values)
    n, m = vals.shape
    nx_, cap = n * m, vals.sum(axis=1)
    for i in range(n):
        for k in range(1, int(cap[i]), 2):
            slope = math.log(k + 1) - math.log(k)
            rows.append(([nx_ + n + i, nx_ + i], [1.0, -slope], -math.inf, math.log(k) - slope * k))
    return solve_mnw_rows(rows, vals)


# ---------------------------------------------------------------------------
# Runners
# ---------------------------------------------------------------------------


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def rel_gap(reference: int | Fraction, ours: int | Fraction) -> float:
    if reference == 0:
        return 0.0 if ours == 0 else 1.0
    return float(max(Fraction(0), Fraction(reference) - Fraction(ours)) / Fraction(reference))


def run_aw(inst: dict[str, Any]) -> tuple[float, float, float | None]:
    a, b = inst["points_a"], inst["points_b"]
    adjusted_winner(a, b)  # warm-up: the first call pays for imports
    times = []
    for _ in range(20):
        result, t = timed(lambda: adjusted_winner(a, b))
        times.append(t)
    ok = check_adjusted_winner(a, b, result.shares_a).ok
    return statistics.median(times), 0.0 if ok else 1.0, None


def criterion(utilities: Sequence[Fraction], solution: str, ideal: Sequence[Fraction]) -> Fraction:
    if solution == "nash":
        return Fraction(math.prod(utilities))
    if solution == "kalai_smorodinsky":
        return min(u / i for u, i in zip(utilities, ideal, strict=True))
    return min(utilities)


def run_packages_big(inst: dict[str, Any]) -> tuple[float, float, float | None]:
    ratings: Ratings = inst["ratings"]
    result, t = timed(lambda: bargain(ratings, "nash"))
    assert isinstance(result, PackageResult) and result.method == "milp"
    ours = math.prod(int(u * 100) for u in result.utilities)
    return t, rel_gap(frontier_nash_product(ratings), ours), None


def run_packages_small(inst: dict[str, Any]) -> tuple[float, float, float | None]:
    ratings: Ratings = inst["ratings"]
    ideal = [Fraction(sum(w[e] * max(s[e]) for e in range(len(w))), 100) for w, s in ratings]
    total = 0.0
    gap = 0.0
    for solution in ("nash", "kalai_smorodinsky", "egalitarian"):
        enum = bargain(ratings, solution, method="enumerate")
        ours, t = timed(lambda s=solution: bargain(ratings, s, method="milp"))  # type: ignore[misc]
        total += t
        assert isinstance(enum, PackageResult) and isinstance(ours, PackageResult)
        g = rel_gap(
            criterion(enum.utilities, solution, ideal), criterion(ours.utilities, solution, ideal)
        )
        if ours.package != enum.package:
            g = max(g, 1.0)
        gap = max(gap, g)
    return total / 3, gap, None


def run_mnw_bruteforce(inst: dict[str, Any]) -> tuple[float, float, float | None]:
    values = inst["valuations"]
    result, t = timed(lambda: max_nash_welfare(values))
    count, product = brute_force_mnw(values)
    assert len(result.positive_parties) == count
    return t, rel_gap(product, result.nash_product), None


def run_mnw_large(inst: dict[str, Any]) -> tuple[float, float, float | None]:
    values = inst["valuations"]
    result, t = timed(lambda: max_nash_welfare(values))
    raw_product, t_raw = timed(lambda: raw_mnw(values))
    return t, rel_gap(raw_product, result.nash_product), t / t_raw


def run_mnw_vs_plain(inst: dict[str, Any]) -> tuple[float, float, float | None]:
    values = inst["valuations"]
    result, t = timed(lambda: max_nash_welfare(values))
    plain_product, t_plain = timed(lambda: plain_mnw(values))
    gap = rel_gap(plain_product, result.nash_product)
    if not (result.optimal and check_ef1(values, result.bundles)):
        gap = 1.0
    return t, gap, t / t_plain


@contextlib.contextmanager
def native_stdout_to(path: Path) -> Iterator[None]:
    """Send C-level stdout to ``path`` (HiGHS occasionally printf()s a debug line).

    Safe here because the benchmark is single-threaded; the engine itself never
    does this, so callers of the engine may see that line in their logs.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    with path.open("ab") as fh:
        os.dup2(fh.fileno(), 1)
        try:
            yield
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="two instances per class")
    parser.add_argument(
        "--regenerate", action="store_true", help="rewrite the seeded instance files"
    )
    parser.add_argument("--only", default="", help="run only the classes whose name contains this")
    args = parser.parse_args(argv)

    runners: dict[str, Callable[[dict[str, Any]], tuple[float, float, float | None]]] = {
        "adjusted-winner": run_aw,
        "packages-2p-50x10-nash": run_packages_big,
        "packages-3p-6x6-vs-enum": run_packages_small,
        "packages-4p-8x4-vs-enum": run_packages_small,
        "mnw-bruteforce-2x16": run_mnw_bruteforce,
        "mnw-bruteforce-3x12": run_mnw_bruteforce,
        "mnw-bruteforce-4x9": run_mnw_bruteforce,
        "mnw-10x100": run_mnw_large,
        "mnw-20x100": run_mnw_large,
    }
    runners.update(
        {name: run_mnw_vs_plain for name, kind, _ in CLASSES if kind in ("ident", "sparse", "corr")}
    )
    header = ["class", "n", "m", "instances", "median_ms", "max_ms", "gap", "ratio"]
    rows: list[list[str]] = []
    native_log = Path(tempfile.mkstemp(prefix="negotiation-bench-", suffix=".log")[1])
    print(" ".join(f"{h:>28}" if k == 0 else f"{h:>10}" for k, h in enumerate(header)))
    verdicts: list[str] = []
    for name, kind, params in CLASSES:
        if args.only not in name:
            continue
        instances = load(name, kind, params, args.regenerate)
        if args.quick:
            instances = instances[:2]
        times: list[float] = []
        gaps: list[float] = []
        ratios: list[float] = []
        for inst in instances:
            with native_stdout_to(native_log):
                t, gap, ratio = runners[name](inst)
            times.append(t)
            gaps.append(gap)
            if ratio is not None:
                ratios.append(ratio)
        n = params.get("n", 2)
        m = f"{params['issues']}x{params['options']}" if "issues" in params else str(params["m"])
        row = [
            name,
            str(n),
            m,
            str(len(instances)),
            f"{1000 * statistics.median(times):.2f}",
            f"{1000 * max(times):.2f}",
            f"{max(gaps):.2g}",
            f"{statistics.median(ratios):.2f}" if ratios else "-",
        ]
        rows.append(row)
        if kind in ("ident", "sparse", "corr"):
            target = 0.5 if kind == "ident" else 1.0
            ok = max(gaps) == 0 and statistics.median(ratios) <= target
            verdicts.append(
                f"{'PASS' if ok else 'FAIL'} {name}: ours/plain {statistics.median(ratios):.2f}"
                f" (target <= {target}), gap {max(gaps):.2g} (target 0, every result EF1)"
            )
        print(" ".join(f"{c:>28}" if k == 0 else f"{c:>10}" for k, c in enumerate(row)), flush=True)
    for verdict in verdicts:
        print(verdict)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    stray = native_log.read_text(errors="replace").count("transformNewIntegerFeasibleSolution")
    native_log.unlink()
    if stray:
        print(f"note: HiGHS printed its internal debug line {stray} time(s) (captured, harmless)")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
