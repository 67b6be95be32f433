"""The only ways to fetch negotiation objects: through the one visibility policy, or NotFound.

An offer is visible to whoever can see its entry or a copy the mediator shared (R3.5, R4.3).
Ratings are visible to whoever is in the rating side's caucus (R8.4). The settlement and the
bidding live in the joint room. Sealed bids are never fetched for reading by anything here.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from parley.accounts.models import User
from parley.cases.access import CaseContext, access_case, check_mediator, load_context
from parley.cases.models import Participant
from parley.cases.policy import Role
from parley.errors import NotFound
from parley.negotiation.models import Offer, ProposalJob, Rating
from parley.rooms.models import Entry
from parley.rooms.policy import RoomKind, in_room


def access_negotiation(user: User, case_id: int) -> tuple[CaseContext, Participant]:
    case, me = access_case(user, case_id)
    return load_context(case), me


def in_joint_room(ctx: CaseContext, me: Participant) -> bool:
    return in_room(ctx.person(me), ctx.room_refs[ctx.joint_room().pk])


def check_in_joint_room(ctx: CaseContext, me: Participant) -> None:
    """The joint room's readers see bidding and settlement; anyone else gets the same 404."""
    if not in_joint_room(ctx, me):
        raise NotFound()


def offers_of(ctx: CaseContext) -> QuerySet[Offer]:
    return (
        Offer.objects.filter(case=ctx.case)
        .select_related(
            "side", "made_by", "payer", "payee", "issue_set", "entry", "counter_to__entry"
        )
        .prefetch_related(
            Prefetch("entry__copies", queryset=Entry.objects.only("id", "room_id", "source_id")),
            # A counter names what it answers only to those who can see that (R3.5).
            Prefetch(
                "counter_to__entry__copies",
                queryset=Entry.objects.only("id", "room_id", "source_id"),
            ),
            "answers__side",
        )
        .order_by("pk")
    )


def offer_room_ids(offer: Offer) -> set[int]:
    """Every room the offer is in: its own and those the mediator shared it into.
    Precondition: entry__copies prefetched (offers_of) or a fresh query is acceptable."""
    return {offer.entry.room_id} | {c.room_id for c in offer.entry.copies.all()}


def can_see_offer(ctx: CaseContext, me: Participant, offer: Offer) -> bool:
    person = ctx.person(me)
    return any(in_room(person, ctx.room_refs[r]) for r in offer_room_ids(offer))


def offer_recipients(ctx: CaseContext, offer: Offer) -> list[int]:
    ids: set[int] = set()
    for room_id in offer_room_ids(offer):
        ids.update(ctx.recipients(room_id))
    return sorted(ids)


def visible_offers(ctx: CaseContext, me: Participant) -> list[Offer]:
    return [o for o in offers_of(ctx) if can_see_offer(ctx, me, o)]


def find_offer(
    ctx: CaseContext, me: Participant, offer_id: int, *, for_update: bool = False
) -> Offer:
    rows = Offer.objects.filter(case=ctx.case, pk=offer_id)
    if for_update:
        rows = rows.select_for_update(of=("self",))
    offer = rows.select_related("entry", "side", "payer", "payee", "issue_set").first()
    if offer is None or not can_see_offer(ctx, me, offer):
        raise NotFound()
    return offer


def access_offer(user: User, case_id: int, offer_id: int) -> tuple[CaseContext, Participant, Offer]:
    ctx, me = access_negotiation(user, case_id)
    return ctx, me, find_offer(ctx, me, offer_id)


def visible_ratings(ctx: CaseContext, me: Participant) -> list[Rating]:
    """The newest rating of each side whose caucus `me` is in, for the current issue set."""
    person = ctx.person(me)
    caucus_sides = {
        ref.side_id
        for ref in ctx.room_refs.values()
        if ref.kind == RoomKind.CAUCUS and ref.side_id is not None and in_room(person, ref)
    }
    latest: dict[int, Rating] = {}
    current = ctx.case.issue_sets.order_by("-version").first()
    if current is None:
        return []
    for rating in Rating.objects.filter(issue_set=current, side_id__in=caucus_sides).order_by("pk"):
        latest[rating.side_id] = rating
    return [latest[s] for s in sorted(latest)]


def party_side_ids(ctx: CaseContext) -> list[int]:
    """The sides that have a party: every one of them answers an offer (R8.2)."""
    return sorted({p.side_id for p in ctx.parties() if p.side_id is not None})


def access_proposal_job(
    user: User, case_id: int, job_id: int
) -> tuple[CaseContext, Participant, ProposalJob]:
    """A proposal job of the case, for its mediator only (R8.4: the engine's answer is the
    mediator's until presented): outsiders get NotFound, parties and counsel mediator_only."""
    ctx, me = access_negotiation(user, case_id)
    check_mediator(me)
    job = ProposalJob.objects.filter(case=ctx.case, pk=job_id).first()
    if job is None:
        raise NotFound()
    return ctx, me, job


def latest_proposal_job(ctx: CaseContext, me: Participant) -> ProposalJob | None:
    """The mediator's newest proposal job for the current issues (None for anyone else)."""
    if me.role != Role.MEDIATOR:
        return None
    current = ctx.case.issue_sets.order_by("-version").first()
    if current is None:
        return None
    return ProposalJob.objects.filter(case=ctx.case, issue_set=current).order_by("-pk").first()
