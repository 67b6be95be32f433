"""How negotiation objects look to a reader who may see them. Callers check visibility first
(access.py). Nothing here reads a sealed figure: only whether a side has bid, for that side."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from parley.cases.access import CaseContext
from parley.cases.models import Participant
from parley.cases.policy import CaseStatus, Role
from parley.money import format_plain
from parley.negotiation.access import can_see_offer, party_side_ids
from parley.negotiation.actions.bidding import margin_of, margin_words
from parley.negotiation.actions.offers import describe_offer
from parley.negotiation.models import (
    Bidding,
    IssueSet,
    Offer,
    ProposalJob,
    Rating,
    SealedBid,
    SettlementSignature,
    SettlementVersion,
)
from parley.negotiation.policy import (
    BiddingStatus,
    OfferStatus,
    ProposalJobStatus,
    effective_status,
    required_sides,
    settlement_is_confidential,
)
from parley.negotiation.suggest import gap_percent
from parley.rooms.policy import RoomKind, in_room
from parley.rooms.words import say


def proposal_job_payload(job: ProposalJob) -> dict[str, Any]:
    """Precondition: the reader is the case's mediator (access.access_proposal_job)."""
    seconds = job.progress_seconds
    if job.status == ProposalJobStatus.RUNNING and job.started_at is not None:
        seconds = max(seconds, (timezone.now() - job.started_at).total_seconds())
    result = job.result if job.status == ProposalJobStatus.DONE else None
    suggestion = None
    if result is not None:
        suggestion = {
            "method": job.method,
            "found": result["found"],
            "message": result["message"],
            "package": result["package"],
            "shares": result["shares"],
            "terms": [say(line) for line in result["lines"]],
            "certainty": result["certainty"],
            "ef1": result["ef1"],
            "gap_percent": gap_percent(result["log_gap"]) if result["found"] else None,
            "note": result["note"],
        }
    return {
        "id": job.pk,
        "case": job.case_id,
        "method": job.method,
        "status": job.status,
        "time_limit": job.time_limit,
        "created_at": job.created_at.isoformat(),
        "seconds": round(min(seconds, job.time_limit + 60), 1),
        "gap_percent": gap_percent(job.progress_gap),
        "error": job.error or None,
        "suggestion": suggestion,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def offer_payload(ctx: CaseContext, me: Participant, offer: Offer) -> dict[str, Any]:
    """Precondition: `me` can see the offer (access.can_see_offer); answers__side prefetched."""
    status = effective_status(
        OfferStatus(offer.status), offer.expires_at, timezone.now(), CaseStatus(ctx.case.status)
    )
    answers = list(offer.answers.all())
    answered = {a.side_id for a in answers}
    waiting = required_sides(party_side_ids(ctx), offer.side_id) - answered
    can_answer = (
        status == OfferStatus.OPEN
        and me.role == Role.PARTY
        and me.side_id is not None
        and me.side_id in waiting
    )
    currency = ctx.case.currency
    home = ctx.room_refs[offer.entry.room_id]
    # Where it was made: the joint room, or handed to the mediator in a side's caucus. The
    # disclosure instruction is that caucus's business: only its members see it (R4.1).
    in_home = in_room(ctx.person(me), home)
    return {
        "id": offer.pk,
        "entry": offer.entry_id,
        "room": offer.entry.room_id,
        "origin": offer.origin,
        "side": offer.side_id,
        "side_label": offer.side.label if offer.side else None,
        "made_by": offer.made_by.display_name,
        "kind": offer.kind,
        "amount": format_plain(offer.amount, currency) if offer.amount is not None else None,
        "currency": currency,
        "payer": offer.payer_id,
        "payee": offer.payee_id,
        "package": offer.terms if offer.kind == "package" else None,
        "allocation": offer.terms if offer.kind == "allocation" else None,
        "issue_set": offer.issue_set.version if offer.issue_set else None,
        "method": offer.method or None,
        "terms": describe_offer(ctx, offer),
        "note": offer.note or "",
        "conditions": offer.conditions or "",
        "where": "joint" if home.kind == RoomKind.JOINT else "caucus",
        "instruction": (offer.entry.instruction or None) if in_home else None,
        "status": status,
        "expires_at": _iso(offer.expires_at),
        # R3.5: the offer a counter answers is named only to those who can see that offer.
        "counter_to": offer.counter_to_id
        if offer.counter_to is not None and can_see_offer(ctx, me, offer.counter_to)
        else None,
        "created_at": offer.created_at.isoformat(),
        "answers": [
            {"side": a.side_id, "side_label": a.side.label, "answer": a.answer} for a in answers
        ],
        "can_answer": can_answer,
        "can_withdraw": status == OfferStatus.OPEN
        and offer.side_id is not None
        and me.side_id == offer.side_id
        and me.role in (Role.PARTY, Role.COUNSEL),
        # R8.2: any other side's party or counsel may answer an open offer with a counter-offer.
        "can_counter": status == OfferStatus.OPEN
        and me.role in (Role.PARTY, Role.COUNSEL)
        and me.side_id is not None
        and me.side_id != offer.side_id,
    }


def bidding_payload(ctx: CaseContext, me: Participant, bidding: Bidding) -> dict[str, Any]:
    """The same for everyone in the joint room, except `my_side_has_bid`, which only tells a
    bidding side about its own figure. Failed rounds are listed with no detail at all."""
    status = BiddingStatus(bidding.status)
    if status == BiddingStatus.OPEN and ctx.case.status == CaseStatus.TERMINATED:
        status = BiddingStatus.CLOSED
    # Rounds decided so far; the round in progress (if any) is not one of them.
    decided = bidding.current_round - (
        1 if bidding.status in (BiddingStatus.OPEN, BiddingStatus.CLOSED) else 0
    )
    failed_rounds = decided - (1 if status == BiddingStatus.SETTLED else 0)
    my_side_has_bid = None
    if me.side_id in (bidding.payer_id, bidding.claimant_id) and status == BiddingStatus.OPEN:
        my_side_has_bid = SealedBid.objects.filter(
            bidding=bidding, round=bidding.current_round, side_id=me.side_id
        ).exists()
    margin = margin_of(bidding)
    return {
        "id": bidding.pk,
        "payer": bidding.payer_id,
        "claimant": bidding.claimant_id,
        "rounds": bidding.rounds,
        "margin_kind": bidding.margin_kind,
        "margin_value": f"{margin.value:.2f}",
        "margin_fixed": f"{margin.fixed:.2f}",
        "margin": say(margin_words(margin, ctx.case.currency)),
        "currency": ctx.case.currency,
        "status": status,
        "current_round": bidding.current_round if status == BiddingStatus.OPEN else None,
        "rounds_not_settled": [
            {"round": n, "outcome": "did not settle"} for n in range(1, failed_rounds + 1)
        ],
        "settled_round": bidding.settled_round,
        "settled_amount": format_plain(bidding.settled_amount, ctx.case.currency)
        if bidding.settled_amount is not None
        else None,
        "my_side_has_bid": my_side_has_bid,
        "i_can_bid": status == BiddingStatus.OPEN
        and me.role in (Role.PARTY, Role.COUNSEL)
        and me.side_id in (bidding.payer_id, bidding.claimant_id)
        and not my_side_has_bid,
    }


def issue_set_payload(issue_set: IssueSet) -> dict[str, Any]:
    return {
        "version": issue_set.version,
        "kind": issue_set.kind,
        "issues": [{"title": i["title"], "options": list(i["options"])} for i in issue_set.spec],
    }


def rating_payload(rating: Rating) -> dict[str, Any]:
    """Precondition: the reader is in the rating side's caucus (access.visible_ratings)."""
    return {
        "side": rating.side_id,
        "version": rating.issue_set.version,
        "entry": rating.entry_id,
        "rated_by": rating.rated_by.display_name,
        "weights": rating.data.get("weights"),
        "scores": rating.data.get("scores"),
        "points": rating.data.get("points"),
        "created_at": rating.created_at.isoformat(),
    }


def settlement_payload(
    ctx: CaseContext, me: Participant, version: SettlementVersion
) -> dict[str, Any]:
    """Precondition: `me` is in the joint room."""
    signatures = list(
        SettlementSignature.objects.filter(settlement=version).select_related("participant")
    )
    signed_ids = {s.participant_id for s in signatures}
    settled = ctx.case.outcome == "settled"
    results_confidential = bool(ctx.agreement and ctx.agreement.results_confidential)
    return {
        "version": version.version,
        "text": version.text,
        "sha256": version.sha256,
        "created_at": version.created_at.isoformat(),
        "terms_offer": version.terms_offer_id,
        "terms_bidding": version.terms_bidding_id,
        "signatures": [
            {
                "name": s.typed_name,
                "participant": s.participant_id,
                "signed_at": s.signed_at.isoformat(),
                "text_sha256": s.text_sha256,
            }
            for s in signatures
        ],
        "waiting_for": [p.display_name for p in ctx.parties() if p.pk not in signed_ids],
        "signed_by_me": me.pk in signed_ids,
        "i_can_sign": me.role == Role.PARTY
        and me.pk not in signed_ids
        and ctx.case.status == CaseStatus.ACTIVE,
        "my_name": me.display_name,
        "settled": settled,
        "confidential": settlement_is_confidential(results_confidential, settled),
    }
