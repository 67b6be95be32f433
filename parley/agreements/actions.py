"""Writes about the agreement to mediate: draft, disclose, issue, sign, acknowledge (R2, R6.1)."""

from __future__ import annotations

from dataclasses import asdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parley.accounts.models import User
from parley.accounts.second_factor import check_can_issue
from parley.agreements.models import (
    Agreement,
    ConflictDisclosure,
    DisclosureAcknowledgement,
    Signature,
)
from parley.agreements.policy import (
    ORIGINAL_LANGUAGE,
    TEMPLATE_LANGUAGES,
    AgreementPolicy,
    AgreementSource,
    base_language,
    check_own_text,
    normalise_text,
    sha256_hex,
    template_text,
)
from parley.agreements.signing import sign_text
from parley.audit.actions import record_event
from parley.cases.access import CaseContext, check_mediator, enter_case, load_context
from parley.cases.models import Case
from parley.cases.policy import CaseEvent, CaseStatus, Role, check_retention_days, transition
from parley.errors import BadInput, DomainError, Forbidden
from parley.limits import clean_text, text_chars
from parley.realtime.publish import publish_on_commit
from parley.rooms.policy import Instruction


def do_set_agreement(
    *,
    acting_user: User,
    case_id: int,
    policy: AgreementPolicy,
    own_text: str | None = None,
) -> Agreement:
    """Freeze a new version of the agreement. After it was issued this voids every signature
    (they stay on the old version as history) and asks everyone to sign again (R2.2)."""
    if own_text is not None:
        check_own_text(own_text, limit=text_chars())
    if policy.court_order is not None and policy.court_order.min_sessions < 0:
        raise BadInput("bad_court_order", _("Minimum sessions cannot be negative."))
    check_retention_days(policy.retention_days)
    if own_text is not None:
        text = normalise_text(own_text)
        # The mediator's own text is in one language; we take it to be the mediator's.
        language = base_language(acting_user.language)
        translations = None
    else:
        text = normalise_text(template_text(policy, ORIGINAL_LANGUAGE))
        language = ORIGINAL_LANGUAGE
        translations = {}
        for other in TEMPLATE_LANGUAGES:
            if other != ORIGINAL_LANGUAGE:
                translated = normalise_text(template_text(policy, other))
                translations[other] = {"text": translated, "sha256": sha256_hex(translated)}
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        case = ctx.case
        check_mediator(me)
        if case.status == CaseStatus.TERMINATED:
            raise DomainError("case_terminated", _("This mediation has ended."))
        previous = case.agreements.order_by("-version").first()
        was_issued = previous is not None and previous.issued_at is not None
        if was_issued:
            case.status = transition(CaseStatus(case.status), CaseEvent.AGREEMENT_CHANGED)
            case.save(update_fields=["status"])
        agreement = Agreement.objects.create(
            case=case,
            version=(previous.version + 1) if previous else 1,
            source=AgreementSource.OWN if own_text is not None else AgreementSource.TEMPLATE,
            text=text,
            sha256=sha256_hex(text),
            language=language,
            translations=translations,
            caucus_default=policy.caucus_default,
            results_confidential=policy.results_confidential,
            retention_days=policy.retention_days,
            court_order=asdict(policy.court_order) if policy.court_order else None,
            # Once issued, every later version is issued at once: people must re-sign it.
            issued_at=timezone.now() if was_issued else None,
        )
        record_event(
            case,
            "agreement_set",
            actor_id=me.pk,
            subject_id=agreement.pk,
            content_hashes={
                "text": agreement.sha256,
                "version": agreement.version,
                **{f"text_{t.language}": t.sha256 for t in agreement.texts().values()},
            },
        )
        if was_issued:
            publish_on_commit(
                load_context(case).everyone(),
                {"type": "agreement_changed", "case": case.pk, "version": agreement.version},
            )
    return agreement


def do_add_disclosure(
    *, acting_user: User, case_id: int, text: str, is_none: bool = False
) -> ConflictDisclosure:
    """R6.1: before issue, disclosures (or "none"); after, each must be acknowledged by every
    party before the case goes on."""
    text = text.strip()
    if is_none:
        # Stored in English (it is committed in the audit chain); each reader reads it in
        # their own language (ConflictDisclosure.shown_text).
        text = "The mediator has no conflict of interest to disclose."
    elif not text:
        raise BadInput("empty_text", _("Describe the disclosure, or record that there is none."))
    else:
        text = clean_text(text)
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        case = ctx.case
        check_mediator(me)
        if case.status == CaseStatus.TERMINATED:
            raise DomainError("case_terminated", _("This mediation has ended."))
        agreement = case.agreements.order_by("-version").first()
        issued = agreement is not None and agreement.issued_at is not None
        disclosure = ConflictDisclosure.objects.create(
            case=case, text=text, is_none=is_none, needs_acknowledgement=issued
        )
        record_event(
            case,
            "disclosure_added",
            actor_id=me.pk,
            subject_id=disclosure.pk,
            salted={"text": text},
        )
        if issued:
            publish_on_commit(
                load_context(case).everyone(), {"type": "disclosure_added", "case": case.pk}
            )
    return disclosure


def do_issue_agreement(*, acting_user: User, case_id: int) -> Agreement:
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        case = ctx.case
        check_mediator(me)
        check_can_issue(acting_user)
        agreement = case.agreements.order_by("-version").first()
        if agreement is None:
            raise DomainError(
                "no_agreement", _("Choose the template or paste your own text first.")
            )
        if not case.disclosures.exists():
            raise DomainError(
                "disclosures_required",
                _("Record your conflict-of-interest disclosures, or that there are none, first."),
            )
        if case.sides.count() < 2:
            raise DomainError("parties_required", _("Invite at least two parties first."))
        case.status = transition(CaseStatus(case.status), CaseEvent.ISSUE_AGREEMENT)
        case.save(update_fields=["status"])
        agreement.issued_at = timezone.now()
        agreement.save(update_fields=["issued_at"])
        record_event(case, "agreement_issued", actor_id=me.pk, subject_id=agreement.pk)
        publish_on_commit(
            load_context(case).everyone(), {"type": "agreement_issued", "case": case.pk}
        )
    return agreement


def ready_to_activate(ctx: CaseContext) -> bool:
    """R2.3: the mediator and every party have signed, and no invited party is still missing."""
    if ctx.pending_party_invitations:
        return False
    required = [pk for pk, p in ctx.participants.items() if p.role in (Role.MEDIATOR, Role.PARTY)]
    parties = [pk for pk, p in ctx.participants.items() if p.role == Role.PARTY]
    return len(parties) >= 2 and all(pk in ctx.signed_ids for pk in required)


def do_sign(
    *, acting_user: User, case_id: int, typed_name: str, consent: bool, shown_sha256: str
) -> Signature:
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        case = ctx.case
        if case.status == CaseStatus.TERMINATED:
            raise DomainError("case_terminated", _("This mediation has ended."))
        agreement = case.agreements.order_by("-version").first()
        if agreement is None or agreement.issued_at is None:
            raise DomainError("not_issued", _("The mediator has not issued the agreement yet."))
        signed = agreement
        # The signer signs the text they were shown, in their language (R2.2): the hash they
        # saw picks it. An unknown hash is checked against their language's text, and refused.
        shown = signed.text_with_hash(shown_sha256) or signed.text_for(acting_user.language)
        signature = sign_text(
            case,
            me,
            already=_("You have already signed this agreement."),
            text_sha256=shown.sha256,
            typed_name=typed_name,
            consent=consent,
            shown_sha256=shown_sha256,
            signed_before=Signature.objects.filter(agreement=signed, participant=me),
            create=lambda name: Signature.objects.create(
                agreement=signed,
                participant=me,
                typed_name=name,
                text_sha256=shown.sha256,
                language=shown.language,
            ),
            event="agreement_signed",
        )
        # Signing acknowledges every disclosure shown on the signing page.
        for disclosure in ConflictDisclosure.objects.filter(case=case, needs_acknowledgement=True):
            DisclosureAcknowledgement.objects.get_or_create(disclosure=disclosure, participant=me)
        ctx = load_context(case)
        _activate_if_ready(ctx)
        publish_on_commit(ctx.everyone(), {"type": "signed", "case": case.pk, "participant": me.pk})
    return signature


def _activate_if_ready(ctx: CaseContext) -> None:
    case: Case = ctx.case
    if case.status == CaseStatus.SIGNING and ready_to_activate(ctx):
        case.status = transition(CaseStatus.SIGNING, CaseEvent.ALL_SIGNED)
        case.activated_at = case.activated_at or timezone.now()
        case.save(update_fields=["status", "activated_at"])
        record_event(case, "case_activated", actor_id=None)
        publish_on_commit(ctx.everyone(), {"type": "activated", "case": case.pk})


def do_acknowledge_disclosure(
    *, acting_user: User, case_id: int, disclosure_id: int
) -> DisclosureAcknowledgement:
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        case = ctx.case
        if me.role != Role.PARTY:
            raise Forbidden("party_only", _("Parties acknowledge the mediator's disclosures."))
        disclosure = ConflictDisclosure.objects.filter(
            case=case, pk=disclosure_id, needs_acknowledgement=True
        ).first()
        if disclosure is None:
            raise BadInput("bad_disclosure", _("There is no such disclosure to acknowledge."))
        ack, created = DisclosureAcknowledgement.objects.get_or_create(
            disclosure=disclosure, participant=me
        )
        if created:
            record_event(case, "disclosure_acknowledged", actor_id=me.pk, subject_id=disclosure.pk)
            publish_on_commit(
                load_context(case).everyone(), {"type": "disclosure_acknowledged", "case": case.pk}
            )
    return ack


def default_policy() -> AgreementPolicy:
    return AgreementPolicy(caucus_default=Instruction.MAY_DISCLOSE, results_confidential=False)
