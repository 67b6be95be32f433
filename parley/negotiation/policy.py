"""Negotiation rules (R8, R6.2, R7.5): offers, double-blind bidding, ratings, settlement.

Pure: no ORM, no HTTP. Visibility is never decided here: callers ask `parley.rooms.policy`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parley.cases.policy import CaseStatus, Role
from parley.errors import BadInput, DomainError, Forbidden, NotFound
from parley.money import MAX_AMOUNT, PLAIN_LOCALE, format_money, parse_money
from parley.rooms.policy import (
    CaseState,
    Instruction,
    Person,
    RoomKind,
    RoomRef,
    check_content_open,
    in_room,
)

CENT = Decimal("0.01")
DEFAULT_ROUNDS = 3
MAX_ROUNDS = 10
DEFAULT_MARGIN_PERCENT = Decimal(30)
POINTS_TOTAL = 100
MAX_SCORE = 100


class OfferKind(TextChoices):
    SUM = "sum", gettext_lazy("A sum")
    PACKAGE = "package", gettext_lazy("A package of terms")
    ALLOCATION = "allocation", gettext_lazy("A division of items")


class OfferOrigin(TextChoices):
    PARTY = "party", gettext_lazy("A party's offer")
    MEDIATOR = "mediator", gettext_lazy("The mediator's proposal")


class OfferStatus(TextChoices):
    OPEN = "open", gettext_lazy("Open")
    ACCEPTED = "accepted", gettext_lazy("Accepted by every other party")
    REJECTED = "rejected", gettext_lazy("Rejected")
    COUNTERED = "countered", gettext_lazy("Answered with a counter-offer")
    WITHDRAWN = "withdrawn", gettext_lazy("Withdrawn")
    EXPIRED = "expired", gettext_lazy("Expired")
    CLOSED = "closed", gettext_lazy("Closed: the mediation ended")


class Answer(TextChoices):
    ACCEPT = "accept", gettext_lazy("Accepted")
    REJECT = "reject", gettext_lazy("Rejected")


class BiddingStatus(TextChoices):
    OPEN = "open", gettext_lazy("Bidding")
    SETTLED = "settled", gettext_lazy("Settled")
    FAILED = "failed", gettext_lazy("Did not settle")
    CLOSED = "closed", gettext_lazy("Closed: the mediation ended")


class MarginKind(TextChoices):
    PERCENT = "percent", gettext_lazy("Percent of the demand")
    FIXED = "fixed", gettext_lazy("A fixed sum")
    GREATER = (
        "greater",
        gettext_lazy("Whichever is greater: a percent of the demand or a fixed sum"),
    )


class IssueSetKind(TextChoices):
    ISSUES = "issues", gettext_lazy("Issues with options (one option per issue)")
    ITEMS = "items", gettext_lazy("Items to divide")


NEGOTIATING_ROLES = frozenset({Role.PARTY, Role.COUNSEL})


class ProposalJobStatus(TextChoices):
    QUEUED = "queued", gettext_lazy("Waiting to start")
    RUNNING = "running", gettext_lazy("Searching")
    DONE = "done", gettext_lazy("Done")
    FAILED = "failed", gettext_lazy("Failed")


PROPOSAL_JOB_LIVE = (ProposalJobStatus.QUEUED, ProposalJobStatus.RUNNING)
PROPOSAL_TIME_LIMIT_MAX = 30.0
"""Seconds: the longest search a mediator may ask for, and the default."""
PROPOSAL_TIME_LIMIT_MIN = 1.0
PROPOSAL_JOB_GRACE = 120.0
"""Seconds past its time limit after which a job still marked live is taken as lost (its
worker stopped) and no longer holds the case's one slot."""


def proposal_job_lost(status: str, started: datetime, time_limit: float, now: datetime) -> bool:
    """A live job that should have ended long ago: its worker died with it."""
    if status not in PROPOSAL_JOB_LIVE:
        return False
    return (now - started).total_seconds() > time_limit + PROPOSAL_JOB_GRACE


# --- Sums -------------------------------------------------------------------------------------


# A figure as people write it: ASCII digits, optionally grouped by thousands with commas, and
# at most a decimal part. Python's Decimal would also take "1E+11", "1_000", "NaN" and other
# scripts' digits (Arabic-Indic), which no one means and which display differently from what
# was stored.
_FIGURE = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")


def parse_figure(raw: str | Decimal | int) -> Decimal | None:
    """The number written in `raw`, or None when it is not written as a plain figure."""
    if isinstance(raw, Decimal | int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not _FIGURE.fullmatch(text):
        return None
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def parse_amount(
    raw: str | Decimal | int,
    currency: str,
    *,
    locale: str | None = PLAIN_LOCALE,
    allow_zero: bool = False,
) -> Decimal:
    """A positive sum in the case's currency (or 0 with ``allow_zero``: a payer may offer
    nothing), read strictly (parley/money.py). The message never repeats the value (it may be
    a sealed bid)."""
    return parse_money(raw, currency, locale=locale, allow_zero=allow_zero)


def format_amount(value: Decimal, currency: str) -> str:
    """A sum with its currency, in the reader's locale (the writer's, in an entry's text)."""
    return format_money(value, currency)


# --- Who may negotiate ------------------------------------------------------------------------


def check_negotiation_open(state: CaseState) -> None:
    """R7.5: after termination offers and bidding close; before activation nothing opens."""
    if state.status == CaseStatus.TERMINATED:
        raise DomainError(
            "case_terminated", _("The mediation has ended: offers and bidding are closed.")
        )
    check_content_open(state)


def check_can_make_offer(person: Person, room: RoomRef, state: CaseState) -> None:
    """R8.1: a party (or its counsel, for the side) offers in the joint room, or hands the
    offer to the mediator in its own caucus. Nowhere else: not the counsel room or notebook."""
    if not in_room(person, room):
        raise NotFound()
    check_negotiation_open(state)
    if person.role not in NEGOTIATING_ROLES:
        raise Forbidden(
            "not_allowed",
            _("Only a party or its counsel makes offers. The mediator may present a proposal."),
        )
    if room.kind == RoomKind.JOINT:
        return
    if room.kind == RoomKind.CAUCUS and room.side_id == person.side_id:
        return
    raise BadInput(
        "bad_room", _("Make an offer in the joint room, or give it to the mediator in your caucus.")
    )


def check_can_answer(person: Person, offering_side_id: int | None, status: OfferStatus) -> None:
    """R8.2, R6.2: only a party answers, for its own side, never the side that made the offer.
    The mediator never accepts anything: there is no such action."""
    check_answerer(person, offering_side_id)
    check_offer_open(status)


def check_answerer(person: Person, offering_side_id: int | None) -> None:
    if person.role == Role.MEDIATOR:
        raise Forbidden(
            "mediator_never_decides",
            _("The mediator decides nothing: only the parties accept or reject offers."),
        )
    if person.role != Role.PARTY:
        raise Forbidden(
            "party_only", _("Only the party itself accepts or rejects; counsel advises it.")
        )
    if person.side_id == offering_side_id:
        raise DomainError("own_offer", _("This is your side's own offer."))


def check_can_counter(person: Person, offering_side_id: int | None, status: OfferStatus) -> None:
    if person.role not in NEGOTIATING_ROLES:
        raise Forbidden("not_allowed", _("Only a party or its counsel makes counter-offers."))
    if person.side_id == offering_side_id:
        raise DomainError("own_offer", _("Withdraw your own offer and make a new one instead."))
    check_offer_open(status)


def check_can_withdraw(person: Person, offering_side_id: int | None, status: OfferStatus) -> None:
    if offering_side_id is None or person.side_id != offering_side_id:
        raise Forbidden("not_allowed", _("Only the side that made an offer can withdraw it."))
    if person.role not in NEGOTIATING_ROLES:
        raise Forbidden("not_allowed", _("Only a party or its counsel withdraws an offer."))
    check_offer_open(status)


def check_offer_open(status: OfferStatus) -> None:
    if status != OfferStatus.OPEN:
        raise DomainError(
            "offer_closed",
            _("This offer is no longer open (%(status)s).")
            % {"status": str(OfferStatus(status).label).lower()},
        )


def effective_status(
    status: OfferStatus, expires_at: datetime | None, now: datetime, case_status: CaseStatus
) -> OfferStatus:
    """An open offer past its expiry is expired; after termination an open offer is closed."""
    if status != OfferStatus.OPEN:
        return status
    if case_status == CaseStatus.TERMINATED:
        return OfferStatus.CLOSED
    if expires_at is not None and expires_at <= now:
        return OfferStatus.EXPIRED
    return OfferStatus.OPEN


def check_expiry(expires_at: datetime | None, now: datetime) -> None:
    if expires_at is not None and expires_at <= now:
        raise BadInput("bad_expiry", _("The expiry time must be in the future."))


def required_sides(all_side_ids: Iterable[int], offering_side_id: int | None) -> frozenset[int]:
    """R8.2: every other party must accept (every party, for a mediator's proposal)."""
    return frozenset(s for s in all_side_ids if s != offering_side_id)


def outcome_after_answer(
    required: frozenset[int], accepted: frozenset[int], rejected: frozenset[int]
) -> OfferStatus:
    if rejected:
        return OfferStatus.REJECTED
    if required <= accepted:
        return OfferStatus.ACCEPTED
    return OfferStatus.OPEN


# --- Double-blind bidding (R8.3) --------------------------------------------------------------


@dataclass(frozen=True)
class Margin:
    """``value`` is the percent (PERCENT, GREATER) or the sum (FIXED); ``fixed`` is the sum
    that GREATER compares with the percent ("30 % or 5,000, whichever is greater")."""

    kind: MarginKind
    value: Decimal
    fixed: Decimal = Decimal(0)

    def of(self, demand: Decimal) -> Decimal:
        if self.kind == MarginKind.PERCENT:
            return demand * self.value / Decimal(100)
        if self.kind == MarginKind.GREATER:
            return max(demand * self.value / Decimal(100), self.fixed)
        return self.value


def check_bidding_config(rounds: int, margin: Margin) -> None:
    if not 1 <= rounds <= MAX_ROUNDS:
        raise BadInput(
            "bad_rounds",
            _("Choose between 1 and %(MAX_ROUNDS)s rounds.") % {"MAX_ROUNDS": MAX_ROUNDS},
        )
    if margin.kind in (MarginKind.PERCENT, MarginKind.GREATER):
        if not Decimal(0) <= margin.value <= Decimal(100):
            raise BadInput("bad_margin", _("The margin is a percentage between 0 and 100."))
    elif margin.value < 0 or margin.value > MAX_AMOUNT:
        raise BadInput("bad_margin", _("The margin is a sum of 0 or more."))
    if margin.kind == MarginKind.GREATER and not Decimal(0) <= margin.fixed <= MAX_AMOUNT:
        raise BadInput("bad_margin", _("The fixed sum of the margin is 0 or more."))


def check_bidding_sides(payer_side: int, claimant_side: int, side_ids: Iterable[int]) -> None:
    sides = set(side_ids)
    if payer_side not in sides or claimant_side not in sides:
        raise BadInput("bad_side", _("The payer and the claimant must be sides of this case."))
    if payer_side == claimant_side:
        raise BadInput("bad_side", _("The payer and the claimant are two different sides."))


def midpoint(offer: Decimal, demand: Decimal, step: Decimal = CENT) -> Decimal:
    """Rounded half up to `step`: the smallest unit of the case's currency (a cent, a yen)."""
    return ((offer + demand) / 2).quantize(step, rounding=ROUND_HALF_UP)


def settle_round(
    offer: Decimal, demand: Decimal, margin: Margin, step: Decimal = CENT
) -> Decimal | None:
    """R8.3: the payer's offer and the claimant's demand settle at their midpoint when the offer
    reaches the demand or the gap is within the agreed margin; otherwise None (the round fails
    and the caller reveals nothing about why)."""
    if offer >= demand or demand - offer <= margin.of(demand):
        return midpoint(offer, demand, step)
    return None


def check_can_bid(person: Person, payer_side: int, claimant_side: int) -> None:
    if person.role == Role.MEDIATOR:
        raise Forbidden("mediator_never_decides", _("The mediator never bids for anyone."))
    if person.role not in NEGOTIATING_ROLES or person.side_id not in (payer_side, claimant_side):
        raise Forbidden(
            "not_allowed", _("Only the payer's and the claimant's sides enter sealed figures.")
        )


# --- Issues, items and ratings (R8.4) ---------------------------------------------------------


@dataclass(frozen=True)
class IssueSpec:
    title: str
    options: tuple[str, ...] = ()


def check_issue_set(kind: IssueSetKind, issues: Sequence[IssueSpec]) -> None:
    if not issues:
        raise BadInput("no_issues", _("Set out at least one issue or item."))
    if len(issues) > 30:
        raise BadInput("too_many", _("At most 30 issues or items."))
    titles = [i.title.strip() for i in issues]
    if any(not t for t in titles) or len(set(titles)) != len(titles):
        raise BadInput("bad_issue", _("Every issue or item needs its own, non-empty title."))
    for issue in issues:
        if kind == IssueSetKind.ISSUES:
            options = [o.strip() for o in issue.options]
            if len(options) < 2 or len(options) > 20:
                raise BadInput(
                    "bad_options",
                    _("Give “%(title)s” between 2 and 20 options.") % {"title": issue.title},
                )
            if any(not o for o in options) or len(set(options)) != len(options):
                raise BadInput(
                    "bad_options",
                    _("The options of “%(title)s” must differ.") % {"title": issue.title},
                )
        elif issue.options:
            raise BadInput("bad_options", _("Items to divide have no options."))


def check_issue_ratings(
    option_counts: Sequence[int], weights: Sequence[int], scores: Sequence[Sequence[int]]
) -> None:
    """R8.4: 100 points across the issues, and a score 0–100 for every option."""
    if len(weights) != len(option_counts) or len(scores) != len(option_counts):
        raise BadInput("bad_ratings", _("Rate every issue once."))
    if any(w < 0 for w in weights) or sum(weights) != POINTS_TOTAL:
        raise BadInput("bad_ratings", _("Spread exactly 100 points across the issues."))
    for count, row in zip(option_counts, scores, strict=True):
        if len(row) != count or any(not 0 <= s <= MAX_SCORE for s in row):
            raise BadInput("bad_ratings", _("Score every option of every issue from 0 to 100."))


def check_item_points(item_count: int, points: Sequence[int]) -> None:
    if len(points) != item_count or any(p < 0 for p in points) or sum(points) != POINTS_TOTAL:
        raise BadInput("bad_ratings", _("Spread exactly 100 points across the items."))


def check_can_rate(person: Person, state: CaseState) -> None:
    check_negotiation_open(state)
    if person.role not in NEGOTIATING_ROLES:
        raise Forbidden("not_allowed", _("Each party (or its counsel) rates for its own side."))


def check_package(option_counts: Sequence[int], package: Sequence[int]) -> None:
    if len(package) != len(option_counts) or any(
        not 0 <= o < n for o, n in zip(package, option_counts, strict=True)
    ):
        raise BadInput("bad_package", _("Choose exactly one listed option for every issue."))


# --- Settlement (R8.5, R2.2, R7.3) ------------------------------------------------------------


def check_can_sign_settlement(person: Person) -> None:
    """R8.5, R6.2: every party signs for itself; the mediator and counsel sign for no one."""
    if person.role == Role.MEDIATOR:
        raise Forbidden(
            "mediator_never_decides", _("The mediator never signs a settlement or binds a party.")
        )
    if person.role != Role.PARTY:
        raise Forbidden("party_only", _("Only the party itself signs the settlement."))


def everyone_signed(party_ids: Iterable[int], signer_ids: Iterable[int]) -> bool:
    parties = set(party_ids)
    return bool(parties) and parties <= set(signer_ids)


def check_can_draft_from_offer(
    status: OfferStatus, rooms: Iterable[RoomRef], instruction_now: Instruction | None
) -> None:
    """R8.5 with R4.3, R4.5: the settlement is joint content, so it is drafted only from terms
    every reader of the joint room may already see. `rooms`: the offer's own room and every
    room the mediator shared it into; `instruction_now`: the offer entry's disclosure
    instruction at this moment (None for an offer made in the joint room or a proposal).

    Drafting never discloses anything itself: a caucus offer reaches the settlement only
    through the mediator's share into the joint room (which checked the instruction then), and
    only while its side still allows disclosure (R4.2: a change applies from then on)."""
    if status != OfferStatus.ACCEPTED:
        raise DomainError("not_accepted", _("Only terms every party accepted can be drafted."))
    if instruction_now == Instruction.DO_NOT_DISCLOSE:
        raise DomainError(
            "disclosure_refused",
            _(
                "The side that gave these terms in caucus now says they must not be disclosed, so "
                "a settlement cannot be drafted from them. Ask that side to change the instruction."
            ),
        )
    if not any(room.kind == RoomKind.JOINT for room in rooms):
        raise DomainError(
            "terms_not_in_joint_room",
            _(
                "These terms were given in caucus and not shared into the joint room, where the "
                "settlement is read. Share the offer into the joint room first, if its side allows."
            ),
        )


def counter_is_visible(counter_room: RoomRef, original_rooms: Iterable[RoomRef]) -> bool:
    """R3.5: a counter-offer may name what it answers only where every reader of the counter
    can see the original, i.e. the counter is in one of the original's rooms or the original
    is in the joint room. Elsewhere it reads as a plain offer."""
    rooms = list(original_rooms)
    return counter_room in rooms or any(r.kind == RoomKind.JOINT for r in rooms)


def settlement_is_confidential(results_confidential: bool, settled: bool) -> bool:
    """R5.3: the signed settlement is public unless `results_confidential`; an unsigned draft is
    a mediation communication, privileged like every other (R5.1)."""
    return results_confidential or not settled
