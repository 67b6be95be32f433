"""The settlement (R8.5, R2.2, R7.3, R6.2): drafted from accepted terms by the mediator, signed
by every party; the last signature ends the mediation as settled, in the same transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from parley.accounts.models import User
from parley.agreements.policy import normalise_text, sha256_hex
from parley.agreements.signing import sign_text
from parley.audit.actions import record_event
from parley.audit.policy import room_readers
from parley.cases.access import CaseContext, check_mediator, enter_case
from parley.cases.actions import end_settled
from parley.cases.models import Participant
from parley.errors import BadInput, DomainError, NotFound
from parley.limits import text_chars
from parley.negotiation.access import can_see_offer, check_in_joint_room, offer_room_ids
from parley.negotiation.actions.offers import describe_offer_parts
from parley.negotiation.models import (
    Bidding,
    Offer,
    SettlementSignature,
    SettlementVersion,
)
from parley.negotiation.policy import (
    BiddingStatus,
    OfferStatus,
    check_can_draft_from_offer,
    check_can_sign_settlement,
    check_negotiation_open,
    everyone_signed,
)
from parley.negotiation.terms import settlement_text, sum_sentence
from parley.realtime.publish import publish_on_commit
from parley.rooms.entries import add_entry
from parley.rooms.models import Entry, EntryKind
from parley.rooms.policy import Instruction
from parley.rooms.words import Part, stored, words


def current_settlement(ctx: CaseContext) -> SettlementVersion | None:
    return ctx.case.settlement_versions.order_by("-version").first()


def _terms_lines(ctx: CaseContext, offer: Offer | None, bidding: Bidding | None) -> list[Part]:
    if offer is not None:
        return describe_offer_parts(ctx, offer)
    assert bidding is not None and bidding.settled_amount is not None
    labels = {s.pk: s.label for s in ctx.case.sides.all()}
    return [
        sum_sentence(
            labels[bidding.payer_id],
            labels[bidding.claimant_id],
            bidding.settled_amount,
            ctx.case.currency,
        )
    ]


def check_draftable(ctx: CaseContext, offer: Offer, instruction: str) -> None:
    """Whether a settlement may be drafted from `offer` (negotiation.policy decides); the page
    asks this too, to offer the button only where drafting would work and say why not."""
    check_can_draft_from_offer(
        OfferStatus(offer.status),
        [ctx.room_refs[r] for r in offer_room_ids(offer)],
        Instruction(instruction) if instruction else None,
    )


def _new_version(
    ctx: CaseContext,
    me: Participant,
    text: str,
    offer: Offer | None,
    bidding: Bidding | None,
    previous: SettlementVersion | None,
) -> SettlementVersion:
    text = normalise_text(text)
    version = SettlementVersion.objects.create(
        case=ctx.case,
        version=(previous.version + 1) if previous else 1,
        text=text,
        sha256=sha256_hex(text),
        terms_offer=offer,
        terms_bidding=bidding,
        created_by=me,
    )
    voided: list[Part] = (
        [" ", words(gettext_noop("Earlier signatures no longer count: every party signs again."))]
        if previous
        else []
    )
    add_entry(
        ctx,
        ctx.joint_room(),
        kind=EntryKind.SYSTEM,
        # The text's fingerprint is on the settlement and in the audit chain, not in the room.
        body=stored(
            words(
                gettext_noop(
                    "The mediator drafted the settlement, version %(version)s. Every party reads "
                    "and signs it on the Negotiation page."
                ),
                version=str(version.version),
            ),
            *voided,
        ),
    )
    record_event(
        ctx.case,
        "settlement_drafted",
        actor_id=me.pk,
        subject_id=version.pk,
        content_hashes={"text": version.sha256, "version": version.version},
        audience=room_readers([ctx.joint_room().pk]),
    )
    publish_on_commit(
        ctx.recipients(ctx.joint_room().pk),
        {"type": "settlement", "case": ctx.case.pk, "version": version.version},
    )
    return version


def do_draft_settlement(
    *,
    acting_user: User,
    case_id: int,
    offer_id: int | None = None,
    bidding_id: int | None = None,
) -> SettlementVersion:
    """From accepted terms: an offer or proposal every party accepted, or a settled bidding."""
    if (offer_id is None) == (bidding_id is None):
        raise BadInput("terms_required", _("Draft from one accepted offer or one settled bidding."))
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        check_mediator(me)
        check_negotiation_open(ctx.state)
        offer: Offer | None = None
        bidding: Bidding | None = None
        if offer_id is not None:
            offer = (
                Offer.objects.filter(case=ctx.case, pk=offer_id)
                .select_related("issue_set", "entry")
                .first()
            )
            if offer is None or not can_see_offer(ctx, me, offer):
                raise NotFound()
            # The offer entry's row is locked so a concurrent instruction change (R4.2)
            # cannot slip in between this check and the draft, as for a share.
            entry = Entry.objects.select_for_update().get(pk=offer.entry_id)
            check_draftable(ctx, offer, entry.instruction)
        else:
            bidding = Bidding.objects.filter(case=ctx.case, pk=int(bidding_id or 0)).first()
            if bidding is None:
                raise NotFound()
            if bidding.status != BiddingStatus.SETTLED:
                raise DomainError("not_settled", _("This bidding did not settle."))
        names = [p.display_name for p in ctx.parties()]
        # In the drafter's language: the one text every party reads and signs.
        text = settlement_text(ctx.case.title, names, _terms_lines(ctx, offer, bidding))
        return _new_version(ctx, me, text, offer, bidding, current_settlement(ctx))


def do_edit_settlement(*, acting_user: User, case_id: int, text: str) -> SettlementVersion:
    """The mediator edits as the drafter: a new version, and every party signs again."""
    if "\x00" in text or not text.strip():
        raise BadInput("empty_text", _("The settlement needs its text."))
    if len(text) > text_chars():
        raise BadInput(
            "too_long",
            _("At most %(limit)s characters.")
            % {"limit": number_format(text_chars(), force_grouping=True)},
        )
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        check_mediator(me)
        check_negotiation_open(ctx.state)
        previous = current_settlement(ctx)
        if previous is None:
            raise DomainError("no_settlement", _("Draft the settlement from accepted terms first."))
        if normalise_text(text) == previous.text:
            return previous
        return _new_version(ctx, me, text, previous.terms_offer, previous.terms_bidding, previous)


def do_sign_settlement(
    *, acting_user: User, case_id: int, typed_name: str, consent: bool, shown_sha256: str
) -> SettlementSignature:
    """R2.2's rules: the exact text (its hash), consent, and the full name typed. When the last
    party signs, the case ends as settled in this same transaction (R7.3)."""
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        check_in_joint_room(ctx, me)
        person = ctx.person(me)
        check_can_sign_settlement(person)
        check_negotiation_open(ctx.state)
        current = current_settlement(ctx)
        if current is None:
            raise DomainError("no_settlement", _("There is no settlement to sign yet."))
        signed = current
        signature = sign_text(
            ctx.case,
            me,
            already=_("You have already signed this settlement."),
            text_sha256=signed.sha256,
            typed_name=typed_name,
            consent=consent,
            shown_sha256=shown_sha256,
            signed_before=SettlementSignature.objects.filter(settlement=signed, participant=me),
            create=lambda name: SettlementSignature.objects.create(
                settlement=signed, participant=me, typed_name=name, text_sha256=signed.sha256
            ),
            event="settlement_signed",
            audience=room_readers([ctx.joint_room().pk]),
        )
        publish_on_commit(
            ctx.recipients(ctx.joint_room().pk),
            {"type": "settlement_signed", "case": ctx.case.pk, "participant": me.pk},
        )
        signers = SettlementSignature.objects.filter(settlement=current).values_list(
            "participant_id", flat=True
        )
        if everyone_signed((p.pk for p in ctx.parties()), signers):
            end_settled(ctx)
    return signature
