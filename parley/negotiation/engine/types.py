"""Result types of the negotiation engine.

Results never carry a party's private ratings: only the package or allocation
that was chosen and, at most, each party's own utility for it.  The Django layer
decides which of these numbers each participant may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

Solution = Literal["nash", "kalai_smorodinsky", "egalitarian"]
Method = Literal["auto", "enumerate", "milp"]


class EngineError(RuntimeError):
    """An internal self-check failed; the engine refuses to return an unverified result."""


@dataclass(frozen=True, slots=True)
class AdjustedWinnerResult:
    """Outcome of Adjusted Winner.

    ``shares_a[j]`` is the fraction of item ``j`` that goes to party A; party B
    receives ``1 - shares_a[j]``.  At most one entry is strictly between 0 and 1
    (``split_item``).  ``points`` is what each party gets by its own valuation;
    the two are equal by construction (equitability).
    """

    shares_a: tuple[Fraction, ...]
    points: Fraction
    split_item: int | None

    @property
    def shares_b(self) -> tuple[Fraction, ...]:
        return tuple(1 - s for s in self.shares_a)

    @property
    def items_a(self) -> tuple[int, ...]:
        """Items that A receives wholly or in part."""
        return tuple(j for j, s in enumerate(self.shares_a) if s > 0)

    @property
    def items_b(self) -> tuple[int, ...]:
        """Items that B receives wholly or in part."""
        return tuple(j for j, s in enumerate(self.shares_a) if s < 1)


@dataclass(frozen=True, slots=True)
class AdjustedWinnerCheck:
    """Verdict of :func:`check_adjusted_winner`; every flag must hold for a valid outcome."""

    envy_free: bool
    equitable: bool
    pareto_optimal: bool
    at_most_one_split: bool

    @property
    def ok(self) -> bool:
        return self.envy_free and self.equitable and self.pareto_optimal and self.at_most_one_split


@dataclass(frozen=True, slots=True)
class PackageResult:
    """A package (one option index per issue) chosen by a bargaining rule.

    ``utilities[i]`` is party ``i``'s utility on the 0-100 scale, exact.
    ``method`` records which solver produced it ("enumerate" or "milp"); both
    return the same package for the same input.
    """

    package: tuple[int, ...]
    utilities: tuple[Fraction, ...]
    solution: Solution
    method: Literal["enumerate", "milp"]


@dataclass(frozen=True, slots=True)
class NoAgreement:
    """No package gives every party strictly more than its disagreement utility."""

    solution: Solution
    reason: str


@dataclass(frozen=True, slots=True)
class Improvement:
    """A package at least as good as the baseline for everyone and better for someone.

    ``rule`` is "nash" when every party strictly gains (Nash product of gains
    over the baseline), otherwise "utilitarian" (largest total gain while nobody
    loses).
    """

    package: tuple[int, ...]
    utilities: tuple[Fraction, ...]
    baseline_utilities: tuple[Fraction, ...]
    rule: Literal["nash", "utilitarian"]

    @property
    def gains(self) -> tuple[Fraction, ...]:
        return tuple(u - b for u, b in zip(self.utilities, self.baseline_utilities, strict=True))


@dataclass(frozen=True, slots=True)
class AlreadyParetoOptimal:
    """No package weakly dominates the baseline with a strict gain for someone."""

    baseline: tuple[int, ...]
    baseline_utilities: tuple[Fraction, ...]


@dataclass(frozen=True, slots=True)
class Allocation:
    """An allocation of indivisible items maximising Nash welfare.

    ``bundles[i]`` lists the items of party ``i`` (ascending).  ``values[i]`` is
    party ``i``'s own value of its bundle.  ``positive_parties`` is the largest
    set of parties that can simultaneously get positive value; the Nash product
    is taken over them (Caragiannis et al.).  ``nash_product`` is that product,
    exact.  ``log_gap`` is 0.0 when optimality was proven exactly (no
    allocation has a larger integer product); otherwise it is the remaining gap
    between the MILP bound and ``log(nash_product)``, at most 1e-6 and in
    practice below 1e-9 (large products, where floats cannot separate P
    from P + 1).

    ``optimal`` is False when the search was stopped (time limit, or the caller
    asked): the allocation is then the best found, ``log_gap`` the proven gap
    (``inf`` when no bound was proven yet) and ``ef1`` says whether it is EF1
    (an optimal one always is).  ``check`` names the independent check that
    confirmed optimality (:mod:`.certify`).  ``disputed`` is True when that check
    found a better allocation than the search had proven optimal: the allocation
    is then the check's, and not called optimal.
    """

    bundles: tuple[tuple[int, ...], ...]
    values: tuple[int, ...]
    positive_parties: tuple[int, ...]
    nash_product: int
    log_gap: float
    optimal: bool = True
    ef1: bool = True
    check: str = ""
    disputed: bool = False
