"""The mediator asks the engine for a proposal (R8.4). A read: nothing is stored or shown to
anyone else until the mediator presents it. The answer holds terms only: no ratings, and no
utilities either (the mediator does not need them to present a package)."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import TextChoices

from parley.cases.access import CaseContext, check_mediator
from parley.cases.models import Participant
from parley.errors import BadInput, DomainError
from parley.negotiation.engine import (
    AlreadyParetoOptimal,
    EngineError,
    NoAgreement,
    adjusted_winner,
    bargain,
    improve,
    max_nash_welfare,
)
from parley.negotiation.models import IssueSet, Rating
from parley.negotiation.policy import IssueSetKind, check_package
from parley.negotiation.terms import allocation_lines, package_lines


class Method(TextChoices):
    NASH = "nash", "Nash bargaining"
    KALAI_SMORODINSKY = "kalai_smorodinsky", "Kalai–Smorodinsky"
    EGALITARIAN = "egalitarian", "Egalitarian"
    IMPROVE = "improve", "Improvement on an agreed baseline"
    ADJUSTED_WINNER = "adjusted_winner", "Adjusted Winner"
    MAX_NASH_WELFARE = "max_nash_welfare", "Maximum Nash welfare"


# What each method does, in one plain sentence, and its name and idea for those who ask
# ("details" on the page).
METHOD_WORDS: dict[Method, tuple[str, str]] = {
    Method.NASH: (
        "A package that balances what each side gains, so no side gains a lot while another "
        "gains little.",
        "Nash bargaining solution: the package that makes the product of the sides' gains over "
        "no agreement as large as possible.",
    ),
    Method.KALAI_SMORODINSKY: (
        "A package that gives each side the same share of the most it could hope for.",
        "Kalai–Smorodinsky solution: equal proportions of each side's best possible gain.",
    ),
    Method.EGALITARIAN: (
        "A package that makes the side that gains least gain as much as possible.",
        "Egalitarian solution: the smallest gain (in rating points) as large as possible.",
    ),
    Method.IMPROVE: (
        "Starting from the package the parties already agreed, a package at least as good "
        "for every side and better for some.",
        "Pareto improvement on an agreed baseline (the post-settlement settlement).",
    ),
    Method.ADJUSTED_WINNER: (
        "Divides the items between two sides so that each values its share the same and "
        "neither would swap; at most one item is split.",
        "Adjusted Winner (Brams and Taylor): equitable, envy-free and efficient for two.",
    ),
    Method.MAX_NASH_WELFARE: (
        "Divides whole items among the sides so that no side would rather have another's "
        "share once one item is taken from it.",
        "Maximum Nash welfare allocation: envy-free up to one item, and efficient.",
    ),
}

ISSUE_METHODS = (Method.NASH, Method.KALAI_SMORODINSKY, Method.EGALITARIAN, Method.IMPROVE)
ITEM_METHODS = (Method.ADJUSTED_WINNER, Method.MAX_NASH_WELFARE)


@dataclass
class Suggestion:
    method: Method
    found: bool
    message: str
    package: list[int] | None = None
    shares: list[list[Fraction]] | None = None
    lines: list[str] = field(default_factory=list)


def _ratings(ctx: CaseContext, issue_set: IssueSet) -> list[Rating]:
    latest: dict[int, Rating] = {}
    for rating in Rating.objects.filter(issue_set=issue_set).order_by("pk"):
        latest[rating.side_id] = rating
    sides = list(ctx.case.sides.all())
    missing = [s.label for s in sides if s.pk not in latest]
    if missing:
        raise DomainError(
            "ratings_missing", "Waiting for ratings from: " + ", ".join(missing) + "."
        )
    return [latest[s.pk] for s in sides]


def suggest(
    ctx: CaseContext, me: Participant, method: Method, baseline: list[int] | None = None
) -> Suggestion:
    check_mediator(me)
    issue_set = ctx.case.issue_sets.order_by("-version").first()
    if issue_set is None:
        raise DomainError("no_issues", "Set out the issues or items first.")
    ratings = _ratings(ctx, issue_set)
    labels = {s.pk: s.label for s in ctx.case.sides.all()}
    side_ids = [r.side_id for r in ratings]
    try:
        if issue_set.kind == IssueSetKind.ISSUES:
            if method not in ISSUE_METHODS:
                raise BadInput(
                    "bad_method",
                    "For issues use Nash, Kalai–Smorodinsky, "
                    "egalitarian or an improvement on a baseline.",
                )
            table = [(r.data["weights"], r.data["scores"]) for r in ratings]
            if method == Method.IMPROVE:
                counts = [len(i["options"]) for i in issue_set.spec]
                base = list(baseline or [])
                check_package(counts, base)
                better = improve(table, base)
                if isinstance(better, AlreadyParetoOptimal):
                    return Suggestion(
                        method,
                        False,
                        "No package is better for someone and worse for no one than the baseline.",
                    )
                package = list(better.package)
            else:
                result = bargain(table, method.value)  # type: ignore[arg-type]
                if isinstance(result, NoAgreement):
                    return Suggestion(
                        method, False, "No package gives every side more than no agreement."
                    )
                package = list(result.package)
            return Suggestion(
                method,
                True,
                "",
                package=package,
                lines=package_lines(issue_set.spec, package),
            )
        if method not in ITEM_METHODS:
            raise BadInput("bad_method", "For items use Adjusted Winner or maximum Nash welfare.")
        points = [list(r.data["points"]) for r in ratings]
        if method == Method.ADJUSTED_WINNER:
            if len(ratings) != 2:
                raise BadInput("bad_method", "Adjusted Winner divides between two parties.")
            aw = adjusted_winner(points[0], points[1])
            shares = [[a, 1 - a] for a in aw.shares_a]
        else:
            alloc = max_nash_welfare(points)
            shares = [
                [Fraction(1) if g in alloc.bundles[k] else Fraction(0) for k in range(len(ratings))]
                for g in range(len(issue_set.spec))
            ]
    except EngineError:
        raise DomainError(
            "engine_failed", "The engine could not verify a proposal for these ratings."
        ) from None
    allocation = [{str(s): str(x) for s, x in zip(side_ids, row, strict=True)} for row in shares]
    return Suggestion(
        method,
        True,
        "",
        shares=shares,
        lines=allocation_lines(issue_set.spec, allocation, labels),
    )
