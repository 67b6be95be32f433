"""Offers and proposals (R8.1, R8.2, R8.4, R6.2). Each state change is one audited action
under the case row lock; a party answers for its side, the mediator never does."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from parley.accounts.models import User
from parley.audit.actions import record_event
from parley.audit.chain import salted_hash
from parley.audit.policy import offer_readers
from parley.cases.access import CaseContext, check_mediator, enter_case
from parley.cases.models import Participant
from parley.cases.policy import CaseStatus
from parley.errors import BadInput, DomainError, NotFound
from parley.limits import NOTE_CHARS, clean_text
from parley.negotiation.access import find_offer, offer_recipients, offer_room_ids, party_side_ids
from parley.negotiation.models import IssueSet, Offer, OfferAnswer
from parley.negotiation.policy import (
    Answer,
    IssueSetKind,
    OfferKind,
    OfferOrigin,
    OfferStatus,
    check_answerer,
    check_can_answer,
    check_can_counter,
    check_can_make_offer,
    check_can_withdraw,
    check_expiry,
    check_negotiation_open,
    check_package,
    counter_is_visible,
    effective_status,
    outcome_after_answer,
    parse_amount,
    required_sides,
)
from parley.negotiation.terms import allocation_lines, package_lines, sum_sentence
from parley.realtime.publish import publish_on_commit
from parley.rooms.entries import post_entry
from parley.rooms.models import EntryKind
from parley.rooms.policy import Instruction, RoomKind
from parley.rooms.words import Part, lines, say, stored, words


def current_issue_set(ctx: CaseContext) -> IssueSet | None:
    return ctx.case.issue_sets.order_by("-version").first()


def _describe(ctx: CaseContext, offer: Offer) -> list[Part]:
    labels = ctx.side_labels()
    if offer.kind == OfferKind.SUM:
        assert offer.amount is not None and offer.payer_id and offer.payee_id
        return [
            sum_sentence(
                labels[offer.payer_id], labels[offer.payee_id], offer.amount, ctx.case.currency
            )
        ]
    assert offer.issue_set is not None
    if offer.kind == OfferKind.PACKAGE:
        return package_lines(offer.issue_set.spec, offer.terms)
    return allocation_lines(offer.issue_set.spec, offer.terms, labels)


def describe_offer(ctx: CaseContext, offer: Offer) -> list[str]:
    """The terms in plain words (no ratings, no utilities), in the active language."""
    return [say(line) for line in _describe(ctx, offer)]


def describe_offer_parts(ctx: CaseContext, offer: Offer) -> list[Part]:
    """The terms as parts of an entry's or a text's words (rooms.words)."""
    return _describe(ctx, offer)


def _announce(ctx: CaseContext, offer: Offer) -> None:
    publish_on_commit(
        offer_recipients(ctx, offer),
        {"type": "offer", "case": ctx.case.pk, "offer": offer.pk, "status": offer.status},
    )


def _expire_if_due(ctx: CaseContext, offer: Offer) -> bool:
    """Record an expiry that has come due (an audited state change). True if it had."""
    now = timezone.now()
    if (
        effective_status(
            OfferStatus(offer.status), offer.expires_at, now, CaseStatus(ctx.case.status)
        )
        != OfferStatus.EXPIRED
    ):
        return False
    offer.status = OfferStatus.EXPIRED
    offer.closed_at = now
    offer.save(update_fields=["status", "closed_at"])
    record_event(
        ctx.case,
        "offer_expired",
        actor_id=None,
        subject_id=offer.pk,
        audience=offer_readers(offer.pk),
    )
    _announce(ctx, offer)
    return True


def _offer_expired() -> DomainError:
    return DomainError("offer_expired", _("This offer expired before it was answered."))


def _sum_terms(
    ctx: CaseContext, me: Participant, payer_side_id: int | None, payee_side_id: int | None
) -> tuple[int, int]:
    sides = {s.pk for s in ctx.case.sides.all()}
    if payer_side_id not in sides or payee_side_id not in sides or payer_side_id == payee_side_id:
        raise BadInput("bad_side", _("Name the side that pays and the side that is paid."))
    if me.side_id is not None and me.side_id not in (payer_side_id, payee_side_id):
        raise BadInput("bad_side", _("A sum offer is between your side and another side."))
    return payer_side_id, payee_side_id


def _package_terms(ctx: CaseContext, package: list[int] | None) -> tuple[IssueSet, list[int]]:
    issue_set = current_issue_set(ctx)
    if issue_set is None or issue_set.kind != IssueSetKind.ISSUES:
        raise DomainError("no_issues", _("The mediator has not set out issues with options yet."))
    package = list(package or [])
    check_package([len(i["options"]) for i in issue_set.spec], package)
    return issue_set, package


def _entry_body(
    heading: Part, terms: list[Part], note: str, expires_at: datetime | None, conditions: str = ""
) -> str:
    """The entry's body in Parley's own words (rooms.words), each reader reading it in their
    language; the note and the conditions are the writer's words, kept as written."""
    parts: list[Part] = [heading, "\n", lines(terms)]
    if conditions:
        parts += ["\n\n", words(gettext_noop("Conditions: %(conditions)s"), conditions=conditions)]
    if note:
        parts += ["\n\n", note]
    if expires_at is not None:
        parts += [
            "\n\n",
            words(
                gettext_noop("Open until %(when)s UTC."),
                when=f"{expires_at.astimezone(UTC):%Y-%m-%d %H:%M}",
            ),
        ]
    return stored(*parts)


def do_make_offer(
    *,
    acting_user: User,
    case_id: int,
    room_id: int,
    kind: OfferKind,
    amount: str | Decimal | None = None,
    payer_side_id: int | None = None,
    payee_side_id: int | None = None,
    package: list[int] | None = None,
    note: str = "",
    conditions: str = "",
    expires_at: datetime | None = None,
    counter_to_id: int | None = None,
    instruction: Instruction | None = None,
) -> Offer:
    """R8.1: in the joint room, or handed to the mediator in the side's caucus (where R4 decides
    whether the mediator may convey it). A counter-offer closes the offer it answers when the
    answered side can see it."""
    note = clean_text(note, limit=NOTE_CHARS) if note.strip() else ""
    conditions = clean_text(conditions, limit=NOTE_CHARS) if conditions.strip() else ""
    if kind not in (OfferKind.SUM, OfferKind.PACKAGE):
        raise BadInput("bad_kind", _("An offer is a sum or a package of terms."))
    now = timezone.now()
    check_expiry(expires_at, now)
    expired = False
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        room = ctx.rooms.get(room_id)
        if room is None:
            raise NotFound()
        person = ctx.person(me)
        check_can_make_offer(person, ctx.room_refs[room.pk], ctx.state)
        counter_to: Offer | None = None
        if counter_to_id is not None:
            counter_to = find_offer(ctx, me, counter_to_id, for_update=True)
            expired = _expire_if_due(ctx, counter_to)
            if not expired:
                check_can_counter(person, counter_to.side_id, OfferStatus(counter_to.status))
        if not expired:
            offer = Offer(
                case=ctx.case,
                origin=OfferOrigin.PARTY,
                side_id=me.side_id,
                made_by=me,
                kind=kind,
                note=note,
                conditions=conditions,
                expires_at=expires_at,
                counter_to=counter_to,
            )
            if kind == OfferKind.SUM:
                if amount is None:
                    raise BadInput("bad_amount", _("Enter the sum."))
                offer.amount = parse_amount(amount, ctx.case.currency)
                offer.payer_id, offer.payee_id = _sum_terms(ctx, me, payer_side_id, payee_side_id)
            else:
                offer.issue_set, offer.terms = _package_terms(ctx, package)
            side_label = ctx.side_labels().get(me.side_id or 0, me.display_name)
            named = counter_to is not None and counter_is_visible(
                ctx.room_refs[room.pk], [ctx.room_refs[r] for r in offer_room_ids(counter_to)]
            )
            heading = words(
                gettext_noop("Counter-offer from %(side)s's side:")
                if named
                else gettext_noop("Offer from %(side)s's side:"),
                side=side_label,
            )
            entry = post_entry(
                ctx,
                me,
                room.pk,
                body=_entry_body(heading, _describe(ctx, offer), note, expires_at, conditions),
                kind=EntryKind.OFFER,
                instruction=instruction,
            )
            offer.entry = entry
            offer.save()
            # A counter handed to the mediator in caucus answers the offer privately: closing
            # the original would tell its side that the counter exists (R4.3). Only a counter
            # made where the original's side can read it closes the original.
            seen_by_offering_side = counter_to is not None and (
                room.kind == RoomKind.JOINT or room.pk == counter_to.entry.room_id
            )
            if counter_to is not None and seen_by_offering_side:
                counter_to.status = OfferStatus.COUNTERED
                counter_to.closed_at = now
                counter_to.save(update_fields=["status", "closed_at"])
                record_event(
                    ctx.case,
                    "offer_countered",
                    actor_id=me.pk,
                    subject_id=counter_to.pk,
                    audience=offer_readers(counter_to.pk),
                )
                _announce(ctx, counter_to)
            record_event(
                ctx.case,
                "offer_made",
                actor_id=me.pk,
                subject_id=offer.pk,
                content_hashes={"terms": _terms_hash(offer), "entry": entry.pk},
                audience=offer_readers(offer.pk),
            )
            _announce(ctx, offer)
    if expired:
        raise _offer_expired()
    return offer


def _terms_hash(offer: Offer) -> str:
    """Keyed with the offer entry's salt, which only the entry's readers get: a hash keyed
    the same way for every offer would let the other side test a guess of a caucus offer by
    making the same offer in its own caucus and comparing the two hashes in the chain."""
    data: dict[str, Any] = {
        "kind": offer.kind,
        "amount": f"{offer.amount:.2f}" if offer.amount is not None else None,
        "payer": offer.payer_id,
        "payee": offer.payee_id,
        "issue_set": offer.issue_set_id,
        "terms": offer.terms,
    }
    return salted_hash(offer.entry.salt, json.dumps(data, sort_keys=True))


def do_answer_offer(*, acting_user: User, case_id: int, offer_id: int, answer: Answer) -> Offer:
    """R8.2: accepted when every other party has accepted; one rejection rejects it. Works on
    a shared copy too: seeing the offer anywhere is enough to answer it."""
    if answer not in Answer.values:
        raise BadInput("bad_answer", _("Answer accept or reject."))
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        offer = find_offer(ctx, me, offer_id, for_update=True)
        person = ctx.person(me)
        check_answerer(person, offer.side_id)
        check_negotiation_open(ctx.state)
        expired = _expire_if_due(ctx, offer)
        if not expired:
            check_can_answer(person, offer.side_id, OfferStatus(offer.status))
            assert me.side_id is not None
            if OfferAnswer.objects.filter(offer=offer, side_id=me.side_id).exists():
                raise DomainError(
                    "already_answered", _("Your side has already answered this offer.")
                )
            OfferAnswer.objects.create(
                offer=offer, side_id=me.side_id, participant=me, answer=answer
            )
            rows = list(OfferAnswer.objects.filter(offer=offer).values_list("side_id", "answer"))
            status = outcome_after_answer(
                required_sides(party_side_ids(ctx), offer.side_id),
                frozenset(s for s, a in rows if a == Answer.ACCEPT),
                frozenset(s for s, a in rows if a == Answer.REJECT),
            )
            record_event(
                ctx.case,
                "offer_answered",
                actor_id=me.pk,
                subject_id=offer.pk,
                salted={"answer": str(answer)},
                audience=offer_readers(offer.pk),
            )
            if status != offer.status:
                offer.status = status
                offer.closed_at = timezone.now()
                offer.save(update_fields=["status", "closed_at"])
                record_event(
                    ctx.case,
                    f"offer_{status}",
                    actor_id=None,
                    subject_id=offer.pk,
                    audience=offer_readers(offer.pk),
                )
            _announce(ctx, offer)
    if expired:
        raise _offer_expired()
    return offer


def do_withdraw_offer(*, acting_user: User, case_id: int, offer_id: int) -> Offer:
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        offer = find_offer(ctx, me, offer_id, for_update=True)
        check_negotiation_open(ctx.state)
        expired = _expire_if_due(ctx, offer)
        if not expired:
            check_can_withdraw(ctx.person(me), offer.side_id, OfferStatus(offer.status))
            offer.status = OfferStatus.WITHDRAWN
            offer.closed_at = timezone.now()
            offer.save(update_fields=["status", "closed_at"])
            record_event(
                ctx.case,
                "offer_withdrawn",
                actor_id=me.pk,
                subject_id=offer.pk,
                audience=offer_readers(offer.pk),
            )
            _announce(ctx, offer)
    if expired:
        raise _offer_expired()
    return offer


def allocation_terms(
    side_ids: list[int], item_count: int, shares: list[list[Fraction]]
) -> list[dict[str, str]]:
    """`shares[item][k]` is side_ids[k]'s share of the item; each item's shares sum to 1."""
    if len(shares) != item_count or any(
        len(row) != len(side_ids) or sum(row) != 1 or any(s < 0 for s in row) for row in shares
    ):
        raise BadInput(
            "bad_allocation", _("Give every item wholly out, in shares that add up to 1.")
        )
    return [{str(s): str(share) for s, share in zip(side_ids, row, strict=True)} for row in shares]


def do_present_proposal(
    *,
    acting_user: User,
    case_id: int,
    package: list[int] | None = None,
    shares: list[list[Fraction]] | None = None,
    method: str = "",
    note: str = "",
) -> Offer:
    """R8.4: the mediator presents a package (issues) or a division (items) in the joint room.
    It carries the terms only, never anyone's ratings; every party may accept or reject it.
    Presenting binds no one (R6.2)."""
    note = clean_text(note, limit=NOTE_CHARS) if note.strip() else ""
    method = method.strip()[:32]
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        check_mediator(me)
        check_negotiation_open(ctx.state)
        issue_set = current_issue_set(ctx)
        if issue_set is None:
            raise DomainError("no_issues", _("Set out the issues or items first."))
        offer = Offer(
            case=ctx.case,
            origin=OfferOrigin.MEDIATOR,
            side=None,
            made_by=me,
            issue_set=issue_set,
            method=method,
            note=note,
        )
        if issue_set.kind == IssueSetKind.ISSUES:
            _summary, offer.terms = _package_terms(ctx, package)
            offer.kind = OfferKind.PACKAGE
        else:
            side_ids = [s.pk for s in ctx.case.sides.all()]
            offer.terms = allocation_terms(side_ids, len(issue_set.spec), shares or [])
            offer.kind = OfferKind.ALLOCATION
        heading = (
            words(gettext_noop("The mediator proposes (%(method)s):"), method=method)
            if method
            else words(gettext_noop("The mediator proposes:"))
        )
        entry = post_entry(
            ctx,
            me,
            ctx.joint_room().pk,
            body=_entry_body(heading, _describe(ctx, offer), note, None),
            kind=EntryKind.PROPOSAL,
        )
        offer.entry = entry
        offer.save()
        record_event(
            ctx.case,
            "proposal_presented",
            actor_id=me.pk,
            subject_id=offer.pk,
            content_hashes={"terms": _terms_hash(offer), "entry": entry.pk},
            audience=offer_readers(offer.pk),
        )
        _announce(ctx, offer)
    return offer
