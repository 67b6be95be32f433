"""The mediator's set-up: a new case, its people, disclosures, the agreement and its policy."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from parley.accounts.auth import request_user as signed_in
from parley.accounts.second_factor import has_second_factor
from parley.agreements.actions import (
    do_add_disclosure,
    do_issue_agreement,
    do_set_agreement,
)
from parley.agreements.models import ConflictDisclosure
from parley.agreements.policy import NO_LEGAL_ADVICE_NOTICE, AgreementPolicy
from parley.cases.access import access_case, load_context
from parley.cases.actions import (
    do_change_invitation_email,
    do_create_case,
    do_decide_name_correction,
    do_invite,
    do_resend_invitation,
    do_revoke_invitation,
    do_set_currency,
)
from parley.cases.models import CorrectionStatus, Invitation, NameCorrection
from parley.cases.policy import CaseStatus, CourtOrder, Role
from parley.errors import DomainError, NotFound
from parley.limits import entry_chars
from parley.money import currency_choices
from parley.rooms.policy import Instruction
from parley.web.forms import AgreementForm, CaseForm, DisclosureForm, InviteForm
from parley.web.pages import member_page, not_found, refusal


@require_POST
@member_page
def new_case(request: HttpRequest) -> HttpResponse:
    form = CaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Give the case a title (at most 200 characters)."))
        return redirect("dashboard")
    try:
        case = do_create_case(
            acting_user=signed_in(request),
            title=form.cleaned_data["title"],
            reference=form.cleaned_data["reference"],
            currency=form.cleaned_data["currency"] or None,
        )
    except DomainError as exc:
        refusal(request, exc)
        return redirect("dashboard")
    return redirect("setup", case_id=case.pk)


@member_page
def setup(request: HttpRequest, case_id: int) -> HttpResponse:
    case, me = access_case(signed_in(request), case_id)
    if me.role != Role.MEDIATOR:
        return not_found(request)
    ctx = load_context(case)
    now = timezone.now()
    invitations = [
        {
            "invitation": inv,
            "state": inv.state(now),
        }
        for inv in Invitation.objects.filter(case=case).select_related("side")
    ]
    agreement = ctx.agreement
    court = (agreement.court_order or {}) if agreement else {}
    return render(
        request,
        "web/setup.html",
        {
            "case": case,
            "has_second_factor": has_second_factor(signed_in(request)),
            "ctx": ctx,
            "me": me,
            "sides": list(case.sides.all()),
            "participants": list(ctx.participants.values()),
            "invitations": invitations,
            "name_corrections": list(
                NameCorrection.objects.filter(case=case, status=CorrectionStatus.PENDING)
            ),
            "agreement": agreement,
            "court": court,
            "disclosures": list(ConflictDisclosure.objects.filter(case=case)),
            "instructions": Instruction.choices,
            "notice": NO_LEGAL_ADVICE_NOTICE,
            "parties_open": case.status == CaseStatus.SETUP,
            "terminated": case.status == CaseStatus.TERMINATED,
            "issued": agreement is not None and agreement.issued_at is not None,
            "currencies": currency_choices(),
        },
    )


@require_POST
@member_page
def invitation_action(
    request: HttpRequest, case_id: int, invitation_id: int, what: str
) -> HttpResponse:
    """Resend, revoke, or change the address of one invitation."""
    _mediator_post(request, case_id)
    user = signed_in(request)
    try:
        if what == "resend":
            inv = do_resend_invitation(
                acting_user=user, case_id=case_id, invitation_id=invitation_id
            )
            messages.success(
                request,
                gettext("The invitation to %(email)s is sent again.") % {"email": inv.email},
            )
        elif what == "revoke":
            inv = do_revoke_invitation(
                acting_user=user, case_id=case_id, invitation_id=invitation_id
            )
            messages.success(
                request,
                gettext("The invitation to %(email)s is revoked: its link no longer works.")
                % {"email": inv.email},
            )
        elif what == "address":
            inv = do_change_invitation_email(
                acting_user=user,
                case_id=case_id,
                invitation_id=invitation_id,
                email=request.POST.get("email", ""),
            )
            messages.success(
                request, gettext("The invitation now goes to %(email)s.") % {"email": inv.email}
            )
        else:
            raise NotFound()
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        refusal(request, exc)
    return redirect("setup", case_id=case_id)


def _mediator_post(request: HttpRequest, case_id: int) -> None:
    """The set-up belongs to the mediator: to anyone else it does not exist."""
    _, me = access_case(signed_in(request), case_id)
    if me.role != Role.MEDIATOR:
        raise NotFound()


@require_POST
@member_page
def invite(request: HttpRequest, case_id: int) -> HttpResponse:
    _mediator_post(request, case_id)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, gettext("Give the person's full name, a valid e-mail address and a role.")
        )
        return redirect("setup", case_id=case_id)
    data = form.cleaned_data
    try:
        invitation, _ = do_invite(
            acting_user=signed_in(request),
            case_id=case_id,
            email=data["email"],
            display_name=data["name"],
            role=Role(data["role"]),
            side_id=data["side"] if data["role"] != Role.PARTY else None,
            side_label=data["side_label"],
        )
    except DomainError as exc:
        refusal(request, exc)
        return redirect("setup", case_id=case_id)
    messages.success(
        request,
        f"{invitation.display_name} is invited. Send them the link shown under Invitations.",
    )
    return redirect("setup", case_id=case_id)


@require_POST
@member_page
def agreement(request: HttpRequest, case_id: int) -> HttpResponse:
    _mediator_post(request, case_id)
    form = AgreementForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            gettext("Check the agreement settings: %(errors)s") % {"errors": form.errors.as_text()},
        )
        return redirect("setup", case_id=case_id)
    data = form.cleaned_data
    court = data["court"].strip()
    order: CourtOrder | None = None
    if court or data["order_reference"].strip():
        order = CourtOrder(court, data["order_reference"].strip(), data["min_sessions"] or 0)
    own_text = data["own_text"] if data["source"] == "own" else None
    try:
        do_set_agreement(
            acting_user=signed_in(request),
            case_id=case_id,
            policy=AgreementPolicy(
                caucus_default=Instruction(data["caucus_default"]),
                results_confidential=data["results_confidential"],
                court_order=order,
            ),
            own_text=own_text,
        )
    except DomainError as exc:
        refusal(request, exc)
        return redirect("setup", case_id=case_id)
    messages.success(request, gettext("The agreement to mediate is saved."))
    return redirect("setup", case_id=case_id)


@require_POST
@member_page
def disclosure(request: HttpRequest, case_id: int) -> HttpResponse:
    _mediator_post(request, case_id)
    form = DisclosureForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            gettext("Describe the disclosure in at most %(count)s characters.")
            % {"count": number_format(entry_chars(), force_grouping=True)},
        )
        return redirect("setup", case_id=case_id)
    try:
        do_add_disclosure(
            acting_user=signed_in(request),
            case_id=case_id,
            text=form.cleaned_data["text"],
            is_none=form.cleaned_data["none"],
        )
    except DomainError as exc:
        refusal(request, exc)
        return redirect("setup", case_id=case_id)
    messages.success(request, gettext("Your disclosure is recorded."))
    return redirect("setup", case_id=case_id)


@require_POST
@member_page
def currency(request: HttpRequest, case_id: int) -> HttpResponse:
    _mediator_post(request, case_id)
    try:
        case = do_set_currency(
            acting_user=signed_in(request),
            case_id=case_id,
            currency=request.POST.get("currency", ""),
        )
    except DomainError as exc:
        refusal(request, exc)
    else:
        messages.success(
            request, gettext("Sums in this case are in %(currency)s.") % {"currency": case.currency}
        )
    return redirect("setup", case_id=case_id)


@require_POST
@member_page
def issue(request: HttpRequest, case_id: int) -> HttpResponse:
    _mediator_post(request, case_id)
    try:
        do_issue_agreement(acting_user=signed_in(request), case_id=case_id)
    except DomainError as exc:
        refusal(request, exc)
        return redirect("setup", case_id=case_id)
    messages.success(
        request, gettext("The agreement is issued. Everyone can now read and sign it.")
    )
    return redirect("sign", case_id=case_id)


@require_POST
@member_page
def decide_name_correction(
    request: HttpRequest, case_id: int, correction_id: int, decision: str
) -> HttpResponse:
    if decision not in ("apply", "decline"):
        return not_found(request)
    do_decide_name_correction(
        acting_user=signed_in(request),
        case_id=case_id,
        correction_id=correction_id,
        apply=decision == "apply",
    )
    messages.success(
        request,
        gettext("The name is corrected.")
        if decision == "apply"
        else gettext("The name stays as it is."),
    )
    return redirect("setup", case_id=case_id)
