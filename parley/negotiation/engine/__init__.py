"""Parley's negotiation engine: pure, exact fair-division and bargaining algorithms.

No Django here.  Inputs are plain lists of ints (or Fractions where noted);
results are frozen dataclasses holding only the chosen package or allocation
and each party's own utility, never anyone's ratings.
"""

from .adjusted_winner import adjusted_winner, check_adjusted_winner
from .bargaining import Ratings, bargain, package_utilities
from .improve import improve
from .mnw import Progress, max_nash_welfare
from .mnw_model import check_ef1
from .types import (
    AdjustedWinnerCheck,
    AdjustedWinnerResult,
    Allocation,
    AlreadyParetoOptimal,
    EngineError,
    Improvement,
    Method,
    NoAgreement,
    PackageResult,
    Solution,
)

__all__ = [
    "AdjustedWinnerCheck",
    "AdjustedWinnerResult",
    "Allocation",
    "AlreadyParetoOptimal",
    "EngineError",
    "Improvement",
    "Method",
    "NoAgreement",
    "PackageResult",
    "Progress",
    "Ratings",
    "Solution",
    "adjusted_winner",
    "bargain",
    "check_adjusted_winner",
    "check_ef1",
    "improve",
    "max_nash_welfare",
    "package_utilities",
]
