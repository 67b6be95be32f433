"""The mediator asks the engine for a proposal (R8.4). It runs as a background job
(parley/negotiation/tasks.py); nothing is shown to anyone else until the mediator presents it.
The answer holds terms only: no ratings, and no utilities either (the mediator does not need
them to present a package), plus whether the engine certified it (`Certainty`)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parley.cases.access import CaseContext, check_mediator
from parley.cases.models import Participant
from parley.errors import BadInput, DomainError
from parley.negotiation.engine import (
    Allocation,
    AlreadyParetoOptimal,
    EngineError,
    NoAgreement,
    Progress,
    adjusted_winner,
    bargain,
    improve,
    max_nash_welfare,
)
from parley.negotiation.models import IssueSet, Rating
from parley.negotiation.policy import IssueSetKind, check_package
from parley.negotiation.terms import allocation_lines, package_lines
from parley.rooms.words import Part


class Method(TextChoices):
    NASH = "nash", gettext_lazy("Nash bargaining")
    KALAI_SMORODINSKY = "kalai_smorodinsky", gettext_lazy("Kalai–Smorodinsky")
    EGALITARIAN = "egalitarian", gettext_lazy("Egalitarian")
    IMPROVE = "improve", gettext_lazy("Improvement on an agreed baseline")
    ADJUSTED_WINNER = "adjusted_winner", gettext_lazy("Adjusted Winner")
    MAX_NASH_WELFARE = "max_nash_welfare", gettext_lazy("Maximum Nash welfare")


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


class Certainty(TextChoices):
    """What the engine proved about a suggestion. Only a certified one may be called fair."""

    CERTIFIED = "certified", gettext_lazy("Certified")
    NOT_CERTIFIED = "not_certified", gettext_lazy("Not certified")
    DISPUTED = "disputed", gettext_lazy("Disputed")


Watch = Callable[[float, float], None]
"""Told now and then how a long search stands: (seconds so far, proven log gap or inf)."""

ISSUE_METHODS = (Method.NASH, Method.KALAI_SMORODINSKY, Method.EGALITARIAN, Method.IMPROVE)
ITEM_METHODS = (Method.ADJUSTED_WINNER, Method.MAX_NASH_WELFARE)


@dataclass
class Suggestion:
    method: Method
    found: bool
    message: str
    package: list[int] | None = None
    shares: list[list[Fraction]] | None = None
    lines: list[Part] = field(default_factory=list)
    certainty: Certainty = Certainty.CERTIFIED
    ef1: bool | None = None
    """For a division into whole items: whether it is envy-free up to one item (checked)."""
    log_gap: float = 0.0
    """How far the Nash product may be from the best (log); inf when no bound was proven."""
    note: str = ""
    """Why the suggestion is not certified, in a sentence the mediator understands."""


def gap_percent(log_gap: float | None) -> float | None:
    """How much higher the best Nash welfare (the product) may be, in percent; None when no
    bound is known."""
    if log_gap is None or not math.isfinite(log_gap) or log_gap > 50:
        return None
    return round((math.exp(log_gap) - 1) * 100, 4)


def certainty_of(alloc: Allocation) -> tuple[Certainty, str]:
    if alloc.disputed:
        return Certainty.DISPUTED, (
            "Disputed: the engine's independent check found a better division than its search "
            "had proven best. This is the check's division; it is not certified optimal"
            + ("." if alloc.ef1 else " and it is not envy-free up to one item.")
        )
    if alloc.optimal:
        return Certainty.CERTIFIED, ""
    percent = gap_percent(alloc.log_gap)
    bound = (
        "no bound on how far it is from the best was proven yet"
        if percent is None
        else f"the best division's Nash welfare is at most {percent:.2f} % higher"
    )
    fairness = (
        "It is envy-free up to one item."
        if alloc.ef1
        else "It is NOT shown to be envy-free up to one item: do not present it as fair."
    )
    return Certainty.NOT_CERTIFIED, (
        f"Not certified: the time limit ended the search; this is the best division found, and "
        f"{bound}. {fairness}"
    )


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


def current_issues(ctx: CaseContext) -> IssueSet:
    issue_set = ctx.case.issue_sets.order_by("-version").first()
    if issue_set is None:
        raise DomainError("no_issues", _("Set out the issues or items first."))
    return issue_set


def check_suggestable(
    ctx: CaseContext, me: Participant, method: Method, baseline: list[int] | None
) -> IssueSet:
    """What the request itself checks before a job is queued: the mediator asks, the issues
    are set out, the method fits them, a baseline is a package of them, every side rated."""
    check_mediator(me)
    issue_set = current_issues(ctx)
    _check_method(issue_set, method, len(ctx.case.sides.all()))
    if method == Method.IMPROVE:
        check_package([len(i["options"]) for i in issue_set.spec], list(baseline or []))
    _ratings(ctx, issue_set)
    return issue_set


def _check_method(issue_set: IssueSet, method: Method, sides: int) -> None:
    if issue_set.kind == IssueSetKind.ISSUES:
        if method not in ISSUE_METHODS:
            raise BadInput(
                "bad_method",
                _(
                    "For issues use Nash, Kalai–Smorodinsky, "
                    "egalitarian or an improvement on a baseline."
                ),
            )
        return
    if method not in ITEM_METHODS:
        raise BadInput("bad_method", _("For items use Adjusted Winner or maximum Nash welfare."))
    if method == Method.ADJUSTED_WINNER and sides != 2:
        raise BadInput("bad_method", _("Adjusted Winner divides between two parties."))


def suggest(
    ctx: CaseContext,
    me: Participant,
    method: Method,
    baseline: list[int] | None = None,
    *,
    time_limit: float | None = None,
    watch: Watch | None = None,
) -> Suggestion:
    """Run the engine. `time_limit` (seconds) bounds a search that can take long (maximum Nash
    welfare); when it ends the search, the best division found comes back not certified."""
    check_mediator(me)
    issue_set = current_issues(ctx)
    ratings = _ratings(ctx, issue_set)
    labels = {s.pk: s.label for s in ctx.case.sides.all()}
    side_ids = [r.side_id for r in ratings]
    try:
        _check_method(issue_set, method, len(ratings))
        if issue_set.kind == IssueSetKind.ISSUES:
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
        points = [list(r.data["points"]) for r in ratings]
        certainty, note, ef1, log_gap = Certainty.CERTIFIED, "", None, 0.0
        if method == Method.ADJUSTED_WINNER:
            aw = adjusted_winner(points[0], points[1])
            shares = [[a, 1 - a] for a in aw.shares_a]
        else:

            def progress(p: Progress) -> bool:
                if watch is not None:
                    watch(p.seconds, p.log_gap)
                return False

            alloc = max_nash_welfare(
                points, time_limit=time_limit, watch=progress if watch is not None else None
            )
            certainty, note = certainty_of(alloc)
            ef1, log_gap = alloc.ef1, alloc.log_gap
            shares = [
                [Fraction(1) if g in alloc.bundles[k] else Fraction(0) for k in range(len(ratings))]
                for g in range(len(issue_set.spec))
            ]
    except EngineError:
        raise DomainError(
            "engine_failed", _("The engine could not verify a proposal for these ratings.")
        ) from None
    allocation = [{str(s): str(x) for s, x in zip(side_ids, row, strict=True)} for row in shares]
    return Suggestion(
        method,
        True,
        "",
        shares=shares,
        lines=allocation_lines(issue_set.spec, allocation, labels),
        certainty=certainty,
        ef1=ef1,
        log_gap=log_gap,
        note=note,
    )
