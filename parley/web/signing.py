"""Reading and signing the agreement to mediate (R2.2), and the lobby before the start."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_POST

from parley.accounts.auth import request_user as signed_in
from parley.agreements.actions import do_acknowledge_disclosure, do_sign
from parley.agreements.models import ConflictDisclosure, DisclosureAcknowledgement, Signature
from parley.agreements.policy import NO_LEGAL_ADVICE_NOTICE
from parley.cases.access import CaseContext, access_case, load_context
from parley.cases.actions import do_request_name_correction
from parley.cases.models import CorrectionStatus, NameCorrection, Participant
from parley.cases.policy import CaseStatus, Role
from parley.errors import DomainError
from parley.web.forms import SignForm
from parley.web.pages import member_page, refusal
from parley.web.presenters import people_context


def where_to(ctx: CaseContext, me: Participant) -> str:
    """The page a participant belongs on now: set-up, signing, waiting, or the workspace."""
    status = CaseStatus(ctx.case.status)
    issued = ctx.agreement is not None and ctx.agreement.issued_at is not None
    signed = me.pk in ctx.signed_ids
    if signed and status in (CaseStatus.ACTIVE, CaseStatus.TERMINATED):
        return "workspace"
    if me.role == Role.MEDIATOR and status == CaseStatus.SETUP:
        return "setup"
    if issued and not signed and status != CaseStatus.TERMINATED:
        return "sign"
    return "lobby"


@member_page
def case_home(request: HttpRequest, case_id: int) -> HttpResponse:
    case, me = access_case(signed_in(request), case_id)
    ctx = load_context(case)
    page = where_to(ctx, me)
    if page == "workspace":
        return redirect("room", case_id=case.pk, room_id=ctx.joint_room().pk)
    if page in ("setup", "sign"):
        return redirect(page, case_id=case.pk)
    return render(
        request,
        "web/lobby.html",
        {
            "case": case,
            "me": me,
            "ctx": ctx,
            "people": people_context(ctx),
            "issued": ctx.agreement is not None and ctx.agreement.issued_at is not None,
        },
    )


@member_page
def sign(request: HttpRequest, case_id: int) -> HttpResponse:
    case, me = access_case(signed_in(request), case_id)
    ctx = load_context(case)
    agreement = ctx.agreement
    if agreement is None or agreement.issued_at is None:
        messages.info(request, gettext("The mediator has not issued the agreement yet."))
        return redirect("case", case_id=case.pk)
    already = Signature.objects.filter(agreement=agreement, participant=me).first()
    error = ""
    form = SignForm()
    if request.method == "POST" and already is None:
        form = SignForm(request.POST)
        if form.is_valid():
            try:
                do_sign(
                    acting_user=signed_in(request),
                    case_id=case.pk,
                    typed_name=form.cleaned_data["typed_name"],
                    consent=form.cleaned_data["consent"],
                    shown_sha256=form.cleaned_data["sha256"],
                )
            except DomainError as exc:
                error = exc.detail
            else:
                messages.success(request, gettext("You signed the agreement to mediate."))
                return redirect("case", case_id=case.pk)
        else:
            error = gettext("Type your full name and tick the box to sign.")
    return render(
        request,
        "web/sign.html",
        {
            "case": case,
            "me": me,
            "agreement": agreement,
            # R2.2: the text in the reader's language where there is one; its hash is signed.
            "shown": agreement.text_for(get_language()),
            "disclosures": list(ConflictDisclosure.objects.filter(case=case)),
            "notice": NO_LEGAL_ADVICE_NOTICE,
            "signature": already,
            "error": error,
            "typed_name": request.POST.get("typed_name", "") if request.method == "POST" else "",
            "court": agreement.court_order or None,
            "correction": NameCorrection.objects.filter(
                participant=me, status=CorrectionStatus.PENDING
            ).first(),
        },
        status=422 if error else 200,
    )


@require_POST
@member_page
def request_name_correction(request: HttpRequest, case_id: int) -> HttpResponse:
    """R11.1: the signer asks the mediator to write their name differently."""
    do_request_name_correction(
        acting_user=signed_in(request), case_id=case_id, name=request.POST.get("name", "")
    )
    messages.success(request, gettext("The mediator is asked to correct your name."))
    return redirect("sign", case_id=case_id)


@require_POST
@member_page
def acknowledge(request: HttpRequest, case_id: int, disclosure_id: int) -> HttpResponse:
    try:
        do_acknowledge_disclosure(
            acting_user=signed_in(request), case_id=case_id, disclosure_id=disclosure_id
        )
    except DomainError as exc:
        refusal(request, exc)
    return redirect("case", case_id=case_id)


def pending_disclosures(ctx: CaseContext, me: Participant) -> list[ConflictDisclosure]:
    """Later disclosures this party has still to acknowledge before the case goes on (R6.1)."""
    if me.role != Role.PARTY or not ctx.disclosures_pending:
        return []
    acked = set(
        DisclosureAcknowledgement.objects.filter(participant=me).values_list(
            "disclosure_id", flat=True
        )
    )
    return [
        d
        for d in ConflictDisclosure.objects.filter(case=ctx.case, needs_acknowledgement=True)
        if d.pk not in acked
    ]
