"""Negotiation API under /api/v1/cases/{id}/negotiation (R8). Parse, access, act, respond."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from parley.accounts.auth import request_user as the_user
from parley.apischema import ERRORS, Id, LongText, Moment, ShortText, Text
from parley.errors import BadInput, DomainError
from parley.limits import NOTE_CHARS
from parley.meetings.times import zone_of_user
from parley.negotiation import actions
from parley.negotiation.access import (
    access_negotiation,
    access_offer,
    access_proposal_job,
    check_in_joint_room,
    in_joint_room,
    offers_of,
    visible_offers,
    visible_ratings,
)
from parley.negotiation.actions.offers import current_issue_set
from parley.negotiation.actions.settlement import current_settlement
from parley.negotiation.models import Bidding, Offer
from parley.negotiation.pdf import settlement_pdf_response
from parley.negotiation.policy import (
    PROPOSAL_TIME_LIMIT_MAX,
    PROPOSAL_TIME_LIMIT_MIN,
    Answer,
    IssueSetKind,
    IssueSpec,
    MarginKind,
    OfferKind,
    ProposalJobStatus,
)
from parley.negotiation.serialize import (
    bidding_payload,
    issue_set_payload,
    offer_payload,
    proposal_job_payload,
    rating_payload,
    settlement_payload,
)
from parley.negotiation.suggest import Certainty, Method
from parley.rooms.policy import Instruction

router = Router(tags=["negotiation"])

Amount = Text  # parsed by policy.parse_amount, whose messages never repeat the figure


class OfferIn(Schema):
    room: Id
    kind: OfferKind
    amount: Amount | None = Field(None, max_length=32)
    payer: Id | None = None
    payee: Id | None = None
    package: list[int] | None = Field(None, max_length=30)
    note: Text = Field("", max_length=NOTE_CHARS)
    conditions: Text = Field("", max_length=NOTE_CHARS)
    expires_at: Moment | None = None
    instruction: Instruction | None = None


class AnswerOut(Schema):
    side: int
    side_label: str
    answer: str


class OfferOut(Schema):
    id: int
    entry: int
    room: int
    origin: str
    side: int | None
    side_label: str | None
    made_by: str
    kind: str
    amount: str | None
    currency: str
    payer: int | None
    payee: int | None
    package: list[int] | None
    allocation: list[dict[str, str]] | None
    issue_set: int | None
    method: str | None
    terms: list[str]
    note: str
    conditions: str
    where: str
    instruction: str | None
    status: str
    expires_at: str | None
    counter_to: int | None
    created_at: str
    answers: list[AnswerOut]
    can_answer: bool
    can_withdraw: bool
    can_counter: bool


class BiddingIn(Schema):
    payer: Id
    claimant: Id
    rounds: int = Field(3, ge=1, le=10)
    margin_kind: MarginKind = MarginKind.PERCENT
    margin_value: ShortText = "30"
    margin_fixed: ShortText = "0"


class BidIn(Schema):
    amount: Amount = Field(max_length=32)


class RoundOut(Schema):
    round: int
    outcome: str


class BiddingOut(Schema):
    id: int
    payer: int
    claimant: int
    rounds: int
    margin_kind: str
    margin_value: str
    margin_fixed: str
    margin: str
    currency: str
    status: str
    current_round: int | None
    rounds_not_settled: list[RoundOut]
    settled_round: int | None
    settled_amount: str | None
    my_side_has_bid: bool | None
    i_can_bid: bool


class IssueIn(Schema):
    title: ShortText
    options: list[ShortText] = Field(default_factory=list, max_length=20)


class IssuesIn(Schema):
    kind: IssueSetKind
    issues: list[IssueIn] = Field(max_length=30)


class IssueOut(Schema):
    title: str
    options: list[str]


class IssueSetOut(Schema):
    version: int
    kind: str
    issues: list[IssueOut]


class RatingsIn(Schema):
    weights: list[int] | None = Field(None, max_length=30)
    scores: list[list[int]] | None = Field(None, max_length=30)
    points: list[int] | None = Field(None, max_length=30)


class RatingOut(Schema):
    side: int
    version: int
    entry: int
    rated_by: str
    weights: list[int] | None
    scores: list[list[int]] | None
    points: list[int] | None
    created_at: str


class SuggestIn(Schema):
    method: Method
    baseline: list[int] | None = Field(None, max_length=30)
    time_limit: float = Field(
        PROPOSAL_TIME_LIMIT_MAX,
        ge=PROPOSAL_TIME_LIMIT_MIN,
        le=PROPOSAL_TIME_LIMIT_MAX,
        description="Seconds the engine may search; when they run out, the best division "
        "found so far comes back, not certified, with its optimality gap.",
    )


class SuggestionOut(Schema):
    method: str
    found: bool
    message: str
    package: list[int] | None
    shares: list[list[str]] | None
    terms: list[str]
    certainty: Certainty = Field(
        description="certified: proven optimal (and EF1 for a division into whole items); "
        "not_certified: the time limit ended the search; disputed: the independent check "
        "disagreed with the search. Only a certified suggestion may be presented as fair."
    )
    ef1: bool | None
    gap_percent: float | None = Field(
        description="How much higher the best Nash welfare may be (0 when certified; null "
        "when no bound was proven)."
    )
    note: str


class ProposalJobOut(Schema):
    id: int
    case: int
    method: str
    status: ProposalJobStatus
    time_limit: float
    created_at: str
    seconds: float
    gap_percent: float | None
    error: str | None
    suggestion: SuggestionOut | None


class ProposalIn(Schema):
    package: list[int] | None = Field(None, max_length=30)
    shares: list[list[ShortText]] | None = Field(None, max_length=30)
    method: ShortText = ""
    note: Text = Field("", max_length=NOTE_CHARS)


class DraftIn(Schema):
    offer: Id | None = None
    bidding: Id | None = None


class EditIn(Schema):
    text: LongText


class SettlementSignIn(Schema):
    typed_name: ShortText
    consent: bool
    sha256: ShortText


class SettlementSignatureOut(Schema):
    name: str
    participant: int
    signed_at: str
    text_sha256: str


class SettlementOut(Schema):
    version: int
    text: str
    sha256: str
    created_at: str
    terms_offer: int | None
    terms_bidding: int | None
    signatures: list[SettlementSignatureOut]
    waiting_for: list[str]
    signed_by_me: bool
    i_can_sign: bool
    my_name: str
    settled: bool
    confidential: bool


class OverviewOut(Schema):
    my_role: str
    my_side: int | None
    issues: IssueSetOut | None
    ratings: list[RatingOut]
    offers: list[OfferOut]
    biddings: list[BiddingOut]
    settlement: SettlementOut | None


def _offer_out(request: HttpRequest, case_id: int, offer: Offer) -> dict[str, Any]:
    ctx, me, fresh = access_offer(the_user(request), case_id, offer.pk)
    fresh = offers_of(ctx).get(pk=fresh.pk)
    return offer_payload(ctx, me, fresh)


def _bidding_out(request: HttpRequest, case_id: int, bidding: Bidding) -> dict[str, Any]:
    ctx, me = access_negotiation(the_user(request), case_id)
    check_in_joint_room(ctx, me)
    bidding.refresh_from_db()
    return bidding_payload(ctx, me, bidding)


@router.get("/{case_id}/negotiation", response={200: OverviewOut, **ERRORS})
def overview(request: HttpRequest, case_id: int) -> dict[str, Any]:
    """Everything about negotiation that you may see: issues, your side's ratings (the mediator
    sees every side's), offers where you can see them, bidding, and the settlement."""
    ctx, me = access_negotiation(the_user(request), case_id)
    joint = in_joint_room(ctx, me)
    issue_set = current_issue_set(ctx) if joint else None
    settlement = current_settlement(ctx) if joint else None
    return {
        "my_role": me.role,
        "my_side": me.side_id,
        "issues": issue_set_payload(issue_set) if issue_set else None,
        "ratings": [rating_payload(r) for r in visible_ratings(ctx, me)],
        "offers": [offer_payload(ctx, me, o) for o in visible_offers(ctx, me)],
        "biddings": [bidding_payload(ctx, me, b) for b in Bidding.objects.filter(case=ctx.case)]
        if joint
        else [],
        "settlement": settlement_payload(ctx, me, settlement) if settlement else None,
    }


@router.get("/{case_id}/negotiation/offers", response={200: list[OfferOut], **ERRORS})
def list_offers(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    ctx, me = access_negotiation(the_user(request), case_id)
    return [offer_payload(ctx, me, o) for o in visible_offers(ctx, me)]


@router.get("/{case_id}/negotiation/offers/{offer_id}", response={200: OfferOut, **ERRORS})
def get_offer(request: HttpRequest, case_id: int, offer_id: int) -> dict[str, Any]:
    ctx, me, offer = access_offer(the_user(request), case_id, offer_id)
    return offer_payload(ctx, me, offers_of(ctx).get(pk=offer.pk))


def _make(
    request: HttpRequest, case_id: int, payload: OfferIn, counter_to: int | None
) -> dict[str, Any]:
    offer = actions.do_make_offer(
        acting_user=the_user(request),
        case_id=case_id,
        room_id=payload.room,
        kind=payload.kind,
        amount=payload.amount,
        payer_side_id=payload.payer,
        payee_side_id=payload.payee,
        package=payload.package,
        note=payload.note,
        conditions=payload.conditions,
        expires_at=payload.expires_at,
        counter_to_id=counter_to,
        instruction=payload.instruction,
    )
    return _offer_out(request, case_id, offer)


@router.post("/{case_id}/negotiation/offers", response={201: OfferOut, **ERRORS})
def make_offer(request: HttpRequest, case_id: int, payload: OfferIn) -> Status[dict[str, Any]]:
    """A sum or a package, in the joint room or handed to the mediator in your caucus."""
    return Status(201, _make(request, case_id, payload, None))


@router.post("/{case_id}/negotiation/offers/{offer_id}/counter", response={201: OfferOut, **ERRORS})
def counter_offer(
    request: HttpRequest, case_id: int, offer_id: int, payload: OfferIn
) -> Status[dict[str, Any]]:
    """A new offer that answers `offer_id`, which closes as countered."""
    return Status(201, _make(request, case_id, payload, offer_id))


def _answer(request: HttpRequest, case_id: int, offer_id: int, answer: Answer) -> dict[str, Any]:
    offer = actions.do_answer_offer(
        acting_user=the_user(request), case_id=case_id, offer_id=offer_id, answer=answer
    )
    return _offer_out(request, case_id, offer)


@router.post("/{case_id}/negotiation/offers/{offer_id}/accept", response={200: OfferOut, **ERRORS})
def accept_offer(request: HttpRequest, case_id: int, offer_id: int) -> dict[str, Any]:
    """A party accepts for its side. The mediator cannot: it decides nothing (R6.2)."""
    return _answer(request, case_id, offer_id, Answer.ACCEPT)


@router.post("/{case_id}/negotiation/offers/{offer_id}/reject", response={200: OfferOut, **ERRORS})
def reject_offer(request: HttpRequest, case_id: int, offer_id: int) -> dict[str, Any]:
    return _answer(request, case_id, offer_id, Answer.REJECT)


@router.post(
    "/{case_id}/negotiation/offers/{offer_id}/withdraw", response={200: OfferOut, **ERRORS}
)
def withdraw_offer(request: HttpRequest, case_id: int, offer_id: int) -> dict[str, Any]:
    offer = actions.do_withdraw_offer(
        acting_user=the_user(request), case_id=case_id, offer_id=offer_id
    )
    return _offer_out(request, case_id, offer)


@router.post("/{case_id}/negotiation/bidding", response={201: BiddingOut, **ERRORS})
def set_up_bidding(
    request: HttpRequest, case_id: int, payload: BiddingIn
) -> Status[dict[str, Any]]:
    """The mediator opens double-blind bidding with the agreed rules; they may change until the
    first figure is entered."""
    bidding = actions.do_set_up_bidding(
        acting_user=the_user(request),
        case_id=case_id,
        payer_side_id=payload.payer,
        claimant_side_id=payload.claimant,
        rounds=payload.rounds,
        margin_kind=payload.margin_kind,
        margin_value=payload.margin_value,
        margin_fixed=payload.margin_fixed,
    )
    return Status(201, _bidding_out(request, case_id, bidding))


@router.post("/{case_id}/negotiation/bidding/bids", response={201: BiddingOut, **ERRORS})
def place_bid(request: HttpRequest, case_id: int, payload: BidIn) -> Status[dict[str, Any]]:
    """Your side's sealed figure for the current round. The answer never repeats it."""
    bidding = actions.do_place_bid(
        acting_user=the_user(request), case_id=case_id, amount=payload.amount
    )
    return Status(201, _bidding_out(request, case_id, bidding))


@router.get("/{case_id}/negotiation/bidding", response={200: list[BiddingOut], **ERRORS})
def list_biddings(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    ctx, me = access_negotiation(the_user(request), case_id)
    check_in_joint_room(ctx, me)
    return [bidding_payload(ctx, me, b) for b in Bidding.objects.filter(case=ctx.case)]


@router.put("/{case_id}/negotiation/issues", response={200: IssueSetOut, **ERRORS})
def set_issues(request: HttpRequest, case_id: int, payload: IssuesIn) -> dict[str, Any]:
    issue_set = actions.do_set_issues(
        acting_user=the_user(request),
        case_id=case_id,
        kind=payload.kind,
        issues=[IssueSpec(i.title, tuple(i.options)) for i in payload.issues],
    )
    return issue_set_payload(issue_set)


@router.get("/{case_id}/negotiation/ratings", response={200: list[RatingOut], **ERRORS})
def list_ratings(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    """Your side's ratings; the mediator sees every side's. No one else's, ever."""
    ctx, me = access_negotiation(the_user(request), case_id)
    return [rating_payload(r) for r in visible_ratings(ctx, me)]


@router.put("/{case_id}/negotiation/ratings", response={200: RatingOut, **ERRORS})
def rate(request: HttpRequest, case_id: int, payload: RatingsIn) -> dict[str, Any]:
    rating = actions.do_rate(
        acting_user=the_user(request),
        case_id=case_id,
        weights=payload.weights,
        scores=payload.scores,
        points=payload.points,
    )
    return rating_payload(rating)


@router.post("/{case_id}/negotiation/suggest", response={202: ProposalJobOut, **ERRORS})
def suggest_proposal(
    request: HttpRequest, case_id: int, payload: SuggestIn
) -> Status[dict[str, Any]]:
    """The mediator asks the engine for a package or a division. The engine runs as a job:
    poll it at `GET .../suggest/{job_id}`. One job per case at a time (409
    `proposal_running`). Nothing is shown to anyone until the mediator presents it."""
    job = actions.do_start_proposal(
        acting_user=the_user(request),
        case_id=case_id,
        method=payload.method,
        baseline=payload.baseline,
        time_limit=payload.time_limit,
    )
    job.refresh_from_db()
    return Status(202, proposal_job_payload(job))


@router.get("/{case_id}/negotiation/suggest/{job_id}", response={200: ProposalJobOut, **ERRORS})
def get_proposal_job(request: HttpRequest, case_id: int, job_id: int) -> dict[str, Any]:
    """How the engine's search stands (status, seconds, the gap proven so far) and, once
    done, its suggestion. The case's mediator only."""
    _, _, job = access_proposal_job(the_user(request), case_id, job_id)
    return proposal_job_payload(job)


def _fractions(rows: list[list[str]] | None) -> list[list[Fraction]] | None:
    if rows is None:
        return None
    try:
        return [[Fraction(x) for x in row] for row in rows]
    except (ValueError, ZeroDivisionError):
        raise BadInput("bad_allocation", _("Shares are fractions like 1, 0 or 3/4.")) from None


@router.post("/{case_id}/negotiation/proposals", response={201: OfferOut, **ERRORS})
def present_proposal(
    request: HttpRequest, case_id: int, payload: ProposalIn
) -> Status[dict[str, Any]]:
    """The mediator presents a package or a division in the joint room. Terms only."""
    offer = actions.do_present_proposal(
        acting_user=the_user(request),
        case_id=case_id,
        package=payload.package,
        shares=_fractions(payload.shares),
        method=payload.method,
        note=payload.note,
    )
    return Status(201, _offer_out(request, case_id, offer))


def _settlement_out(request: HttpRequest, case_id: int) -> dict[str, Any]:
    ctx, me = access_negotiation(the_user(request), case_id)
    check_in_joint_room(ctx, me)
    current = current_settlement(ctx)
    if current is None:
        raise DomainError("no_settlement", _("There is no settlement yet."), status=404)
    return settlement_payload(ctx, me, current)


@router.get("/{case_id}/negotiation/settlement", response={200: SettlementOut, **ERRORS})
def get_settlement(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return _settlement_out(request, case_id)


@router.post("/{case_id}/negotiation/settlement", response={201: SettlementOut, **ERRORS})
def draft_settlement(
    request: HttpRequest, case_id: int, payload: DraftIn
) -> Status[dict[str, Any]]:
    """The mediator drafts from accepted terms: an accepted offer or proposal, or a settled
    bidding."""
    actions.do_draft_settlement(
        acting_user=the_user(request),
        case_id=case_id,
        offer_id=payload.offer,
        bidding_id=payload.bidding,
    )
    return Status(201, _settlement_out(request, case_id))


@router.put("/{case_id}/negotiation/settlement", response={200: SettlementOut, **ERRORS})
def edit_settlement(request: HttpRequest, case_id: int, payload: EditIn) -> dict[str, Any]:
    """A new version; every signature must be given again."""
    actions.do_edit_settlement(acting_user=the_user(request), case_id=case_id, text=payload.text)
    return _settlement_out(request, case_id)


@router.post("/{case_id}/negotiation/settlement/sign", response={201: SettlementOut, **ERRORS})
def sign_settlement(
    request: HttpRequest, case_id: int, payload: SettlementSignIn
) -> Status[dict[str, Any]]:
    """Parties only. The last signature ends the mediation as settled."""
    actions.do_sign_settlement(
        acting_user=the_user(request),
        case_id=case_id,
        typed_name=payload.typed_name,
        consent=payload.consent,
        shown_sha256=payload.sha256,
    )
    return Status(201, _settlement_out(request, case_id))


@router.get("/{case_id}/negotiation/settlement/pdf", response={200: None, **ERRORS})
def settlement_pdf_file(request: HttpRequest, case_id: int) -> HttpResponse:
    """The settlement as a PDF with the signature block and hashes; byte-identical each time."""
    ctx, me = access_negotiation(the_user(request), case_id)
    check_in_joint_room(ctx, me)
    current = current_settlement(ctx)
    if current is None:
        raise DomainError("no_settlement", _("There is no settlement yet."), status=404)
    return settlement_pdf_response(ctx, current, zone_of_user(request.user) or "UTC")
