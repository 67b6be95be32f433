"""Post-settlement improvement (Raiffa): look for a package everyone weakly prefers.

After the parties agree on a baseline package, the engine checks privately
whether some package is at least as good for every party and strictly better
for one.  If every party can strictly gain, we propose the Nash bargaining
package with the baseline as disagreement point (it shares the surplus and is
Pareto-optimal).  If not everyone can gain, we propose the package with the
largest total utility among those that leave nobody worse off (also
Pareto-optimal).  Ties go to the lexicographically smallest package.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from .bargaining import (
    DEFAULT_ENUMERATION_LIMIT,
    Ratings,
    parse_ratings,
    solve_packages,
)
from .types import AlreadyParetoOptimal, EngineError, Improvement, Method


def improve(
    ratings: Ratings,
    baseline: Sequence[int],
    *,
    method: Method = "auto",
    enumeration_limit: int = DEFAULT_ENUMERATION_LIMIT,
) -> Improvement | AlreadyParetoOptimal:
    """Return a Pareto improvement over ``baseline`` or say that none exists.

    Preconditions: ratings as for :func:`bargain`; ``baseline`` chooses one
    valid option index per issue.  The answer is verified to weakly dominate the
    baseline with a strict gain before it is returned.
    """
    space = parse_ratings(ratings)
    base100 = space.utilities100(baseline)
    base_frac = tuple(Fraction(u, 100) for u in base100)
    floor = [Fraction(u) for u in base100]

    package, _ = solve_packages(space, "nash", floor, method, enumeration_limit)
    rule: str = "nash"
    if package is None:
        package, _ = solve_packages(space, "utilitarian", floor, method, enumeration_limit)
        rule = "utilitarian"
        if package is None:
            raise EngineError("the baseline itself should be feasible")
    new100 = space.utilities100(package)
    if any(u < b for u, b in zip(new100, base100, strict=True)):
        raise EngineError("improvement makes a party worse off")
    if new100 == base100:
        if rule == "nash":
            raise EngineError("Nash improvement without a gain")
        return AlreadyParetoOptimal(
            baseline=tuple(int(o) for o in baseline), baseline_utilities=base_frac
        )
    return Improvement(
        package=package,
        utilities=tuple(Fraction(u, 100) for u in new100),
        baseline_utilities=base_frac,
        rule="nash" if rule == "nash" else "utilitarian",
    )
