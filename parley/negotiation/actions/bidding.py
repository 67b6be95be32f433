"""Double-blind bidding (R8.3). A failed round reveals nothing to anyone, the mediator included:
no figure, not who bid what, not the gap. A settled round reveals only the settlement amount.

Sealed figures exist only in SealedBid.sealed (encrypted) until their round is decided, then
they are erased. Nothing here logs, publishes, or returns a figure.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from parley.accounts.models import User
from parley.audit.actions import record_event
from parley.audit.policy import room_readers, side_only
from parley.cases.access import CaseContext, check_mediator, enter_case
from parley.errors import BadInput, DomainError
from parley.money import MAX_AMOUNT, smallest_unit
from parley.negotiation.models import Bidding, SealedBid
from parley.negotiation.policy import (
    BiddingStatus,
    Margin,
    MarginKind,
    check_bidding_config,
    check_bidding_sides,
    check_can_bid,
    check_negotiation_open,
    parse_amount,
    parse_figure,
    settle_round,
)
from parley.negotiation.sealing import keyed_hash, seal, unseal
from parley.realtime.publish import publish_on_commit
from parley.rooms.entries import add_entry
from parley.rooms.models import EntryKind
from parley.rooms.words import Part, money, stored, words

NOTHING_REVEALED = gettext_noop("No figures are revealed.")


def margin_of(bidding: Bidding) -> Margin:
    return Margin(
        MarginKind(bidding.margin_kind),
        Decimal(bidding.margin_value),
        Decimal(bidding.margin_fixed),
    )


def margin_words(margin: Margin, currency: str) -> Part:
    """The margin as a part of an entry's body (rooms.words): read in the reader's language."""
    if margin.kind == MarginKind.PERCENT:
        return words(
            gettext_noop("%(percent)s%% of the demand"), percent=f"{margin.value.normalize():f}"
        )
    if margin.kind == MarginKind.GREATER:
        return words(
            gettext_noop("%(percent)s%% of the demand or %(sum)s, whichever is greater"),
            percent=f"{margin.value.normalize():f}",
            sum=money(margin.fixed, currency),
        )
    return money(margin.value, currency)


def open_bidding(ctx: CaseContext, *, for_update: bool = False) -> Bidding | None:
    rows = Bidding.objects.filter(case=ctx.case, status=BiddingStatus.OPEN)
    if for_update:
        rows = rows.select_for_update()
    return rows.first()


def _context(bidding: Bidding, round_no: int, side_id: int) -> str:
    return f"case {bidding.case_id} bidding {bidding.pk} round {round_no} side {side_id}"


def do_set_up_bidding(
    *,
    acting_user: User,
    case_id: int,
    payer_side_id: int,
    claimant_side_id: int,
    rounds: int = 3,
    margin_kind: MarginKind = MarginKind.PERCENT,
    margin_value: Decimal | str = "30",
    margin_fixed: Decimal | str = "0",
) -> Bidding:
    """The mediator sets the rules the parties agreed (rounds, margin) and opens bidding. Until
    the first figure is entered the rules may be changed; after that they are fixed."""
    if margin_kind not in MarginKind.values:
        raise DomainError(
            "bad_margin",
            _("The margin is a percent, a fixed sum, or whichever of the two is greater."),
            status=422,
        )
    figure = parse_figure(margin_value)
    fixed_figure = parse_figure(margin_fixed or "0")
    if figure is None or fixed_figure is None or max(figure, fixed_figure) > MAX_AMOUNT:
        raise DomainError(
            "bad_margin", _("The margin must be a number, like 30 or 2500."), status=422
        )
    value = figure.quantize(Decimal("0.01"))
    fixed = fixed_figure.quantize(Decimal("0.01"))
    margin = Margin(MarginKind(margin_kind), value, fixed)
    check_bidding_config(rounds, margin)
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        check_mediator(me)
        check_negotiation_open(ctx.state)
        check_bidding_sides(payer_side_id, claimant_side_id, (s.pk for s in ctx.case.sides.all()))
        bidding = open_bidding(ctx, for_update=True)
        if bidding is not None and SealedBid.objects.filter(bidding=bidding).exists():
            raise DomainError(
                "bidding_started", _("Figures have been entered: the rules can no longer change.")
            )
        if bidding is None:
            bidding = Bidding(case=ctx.case, created_by=me)
        bidding.payer_id = payer_side_id
        bidding.claimant_id = claimant_side_id
        bidding.rounds = rounds
        bidding.margin_kind = margin.kind
        bidding.margin_value = margin.value
        bidding.margin_fixed = margin.fixed
        bidding.save()
        labels = {s.pk: s.label for s in ctx.case.sides.all()}
        add_entry(
            ctx,
            ctx.joint_room(),
            kind=EntryKind.SYSTEM,
            body=stored(
                words(
                    gettext_noop(
                        "Double-blind bidding is open: %(payer)s (payer) and %(claimant)s "
                        "(claimant), %(rounds)s round(s). In each round each side enters one "
                        "sealed figure. A round settles at the midpoint of the two figures when "
                        "the payer's offer reaches the claimant's demand, or when the gap is "
                        "within %(margin)s. A round that does not settle reveals nothing to "
                        "anyone, the mediator included."
                    ),
                    payer=labels[payer_side_id],
                    claimant=labels[claimant_side_id],
                    rounds=str(rounds),
                    margin=margin_words(margin, ctx.case.currency),
                )
            ),
        )
        record_event(
            ctx.case,
            "bidding_configured",
            actor_id=me.pk,
            subject_id=bidding.pk,
            audience=room_readers([ctx.joint_room().pk]),
            content_hashes={
                "payer": payer_side_id,
                "claimant": claimant_side_id,
                "rounds": rounds,
                "margin": keyed_hash(f"{margin.kind}:{margin.value}:{margin.fixed}"),
            },
        )
        publish_on_commit(ctx.recipients(ctx.joint_room().pk), _event(ctx, bidding))
    return bidding


def _event(ctx: CaseContext, bidding: Bidding) -> dict[str, object]:
    """The same event for everyone: status and round, never a figure or who has bid."""
    return {
        "type": "bidding",
        "case": ctx.case.pk,
        "bidding": bidding.pk,
        "status": bidding.status,
        "round": bidding.current_round,
    }


def do_place_bid(*, acting_user: User, case_id: int, amount: str | Decimal) -> Bidding:
    """One sealed figure per side per round. When both are in, the round is decided at once and
    both figures are erased; only the outcome is told, and only a settlement has a number."""
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        value = parse_amount(amount, ctx.case.currency, allow_zero=True)
        check_negotiation_open(ctx.state)
        bidding = open_bidding(ctx, for_update=True)
        if bidding is None:
            raise DomainError("no_bidding", _("No bidding is open."))
        person = ctx.person(me)
        check_can_bid(person, bidding.payer_id, bidding.claimant_id)
        side_id = me.side_id
        assert side_id is not None
        if value == 0 and side_id != bidding.payer_id:
            # R8.3: the payer may offer nothing; a demand of nothing is no claim.
            raise BadInput("bad_amount", _("A demand must be more than 0."))
        round_no = bidding.current_round
        if SealedBid.objects.filter(bidding=bidding, round=round_no, side_id=side_id).exists():
            raise DomainError(
                "already_bid",
                _("Your side has already entered its figure for round %(round_no)s.")
                % {"round_no": round_no},
            )
        sealed = seal(value, _context(bidding, round_no, side_id))
        SealedBid.objects.create(
            bidding=bidding,
            round=round_no,
            side_id=side_id,
            participant=me,
            sealed=sealed.token,
            commitment=sealed.commitment,
        )
        record_event(
            ctx.case,
            "bid_sealed",
            actor_id=me.pk,
            subject_id=bidding.pk,
            content_hashes={"round": round_no, "commitment": sealed.commitment},
            # R8.3: who has bid, and when, is the bidding side's alone (not even the mediator's).
            audience=side_only(side_id),
        )
        del value, sealed
        bids = list(SealedBid.objects.select_for_update().filter(bidding=bidding, round=round_no))
        if len(bids) == 2:
            _decide_round(ctx, bidding, bids)
        else:
            # Only the bidder's own side hears that its figure is in.
            own_side = [p.id for p in ctx.people.values() if p.side_id == side_id and p.signed]
            publish_on_commit(
                own_side,
                {
                    "type": "bid_sealed",
                    "case": ctx.case.pk,
                    "bidding": bidding.pk,
                    "round": round_no,
                },
            )
    return bidding


def _decide_round(ctx: CaseContext, bidding: Bidding, bids: list[SealedBid]) -> None:
    """Precondition: the caller holds the case lock and both bids of the round."""
    round_no = bidding.current_round
    figures = {b.side_id: unseal(b.sealed, _context(bidding, round_no, b.side_id)) for b in bids}
    settled = settle_round(
        figures[bidding.payer_id],
        figures[bidding.claimant_id],
        margin_of(bidding),
        smallest_unit(ctx.case.currency),
    )
    figures.clear()
    # Erase both figures now: whatever happens next, they can never be read again.
    SealedBid.objects.filter(pk__in=[b.pk for b in bids]).update(sealed="")
    joint = ctx.joint_room()
    now = timezone.now()
    if settled is not None:
        bidding.status = BiddingStatus.SETTLED
        bidding.settled_amount = settled
        bidding.settled_round = round_no
        bidding.closed_at = now
        bidding.save(update_fields=["status", "settled_amount", "settled_round", "closed_at"])
        add_entry(
            ctx,
            joint,
            kind=EntryKind.SYSTEM,
            body=stored(
                words(
                    gettext_noop(
                        "Blind bidding round %(round)s settled at %(sum)s. The mediator can now "
                        "draft a settlement for every party to sign."
                    ),
                    round=str(round_no),
                    sum=money(settled, ctx.case.currency),
                )
            ),
        )
        record_event(
            ctx.case,
            "bidding_settled",
            actor_id=None,
            subject_id=bidding.pk,
            audience=room_readers([joint.pk]),
            content_hashes={"round": round_no, "amount": keyed_hash(f"{settled:.2f}")},
        )
    elif round_no >= bidding.rounds:
        bidding.status = BiddingStatus.FAILED
        bidding.closed_at = now
        bidding.save(update_fields=["status", "closed_at"])
        add_entry(
            ctx,
            joint,
            kind=EntryKind.SYSTEM,
            body=stored(
                words(
                    gettext_noop(
                        "Blind bidding round %(round)s did not settle. That was the last round: "
                        "the bidding ended without a settlement."
                    ),
                    round=str(round_no),
                ),
                " ",
                words(NOTHING_REVEALED),
            ),
        )
        record_event(
            ctx.case,
            "bidding_failed",
            actor_id=None,
            subject_id=bidding.pk,
            audience=room_readers([ctx.joint_room().pk]),
            content_hashes={"round": round_no},
        )
    else:
        bidding.current_round = round_no + 1
        bidding.save(update_fields=["current_round"])
        add_entry(
            ctx,
            joint,
            kind=EntryKind.SYSTEM,
            body=stored(
                words(
                    gettext_noop("Blind bidding round %(round)s did not settle."),
                    round=str(round_no),
                ),
                " ",
                words(NOTHING_REVEALED),
                " ",
                words(
                    gettext_noop("Round %(next)s of %(rounds)s is open."),
                    next=str(round_no + 1),
                    rounds=str(bidding.rounds),
                ),
            ),
        )
        record_event(
            ctx.case,
            "bidding_round_failed",
            actor_id=None,
            subject_id=bidding.pk,
            audience=room_readers([ctx.joint_room().pk]),
            content_hashes={"round": round_no},
        )
    publish_on_commit(ctx.recipients(ctx.joint_room().pk), _event(ctx, bidding))
