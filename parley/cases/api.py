from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from parley.accounts.auth import request_user as the_user
from parley.apischema import ERRORS, Id, LongText, ShortText
from parley.cases.access import access_case, load_context
from parley.cases.actions import (
    do_create_case,
    do_decide_name_correction,
    do_invite,
    do_request_name_correction,
    do_set_currency,
    do_terminate,
    termination_warning,
)
from parley.cases.models import Case, Invitation, InvitationStatus, NameCorrection, Participant
from parley.cases.policy import Role
from parley.cases.record import export_for, report_for
from parley.cases.retention import destruction_date, do_shorten_retention, retention_days_of
from parley.cases.serialize import case_payload

router = Router(tags=["cases"])


class CaseIn(Schema):
    title: ShortText
    reference: ShortText = ""
    # ISO 4217; the server's default (PARLEY_DEFAULT_CURRENCY) when left out.
    currency: str | None = Field(None, max_length=3)


class ParticipantOut(Schema):
    id: int
    name: str
    role: str
    side: int | None
    signed: bool


class SideOut(Schema):
    id: int
    label: str


class RoomOut(Schema):
    id: int
    kind: str
    side: int | None
    label: str
    readers: str


class CaseOut(Schema):
    id: int
    title: str
    reference: str
    currency: str
    status: str
    my_role: str
    my_participant: int
    my_side: int | None
    signed: bool
    outcome: str | None
    ended_at: str | None
    terminated_by: str | None
    sides: list[SideOut]
    participants: list[ParticipantOut]
    rooms: list[RoomOut]


class CaseSummary(Schema):
    id: int
    title: str
    status: str
    my_role: str


class InviteIn(Schema):
    email: ShortText
    name: ShortText
    role: Role
    side: Id | None = None
    side_label: ShortText = ""


class InviteOut(Schema):
    """No link: only the invited address receives it (R11.2), so nobody else can open the
    invitation to learn whether that address already has an account."""

    id: int
    email: str
    role: str
    side: int | None


class TerminateIn(Schema):
    statement: LongText = ""
    confirm_court_order: bool = False


class WarningOut(Schema):
    warning: str | None


@router.get("", response={200: list[CaseSummary], **ERRORS})
def list_cases(request: HttpRequest) -> list[dict[str, Any]]:
    mine = Participant.objects.filter(user=the_user(request)).select_related("case")
    return [
        {"id": p.case.pk, "title": p.case.title, "status": p.case.status, "my_role": p.role}
        for p in mine.order_by("-case__created_at")
    ]


@router.post("", response={201: CaseOut, **ERRORS})
def create_case(request: HttpRequest, payload: CaseIn) -> Status[dict[str, Any]]:
    user = the_user(request)
    case = do_create_case(
        acting_user=user,
        title=payload.title,
        reference=payload.reference,
        currency=payload.currency,
    )
    case, me = access_case(user, case.pk)
    return Status(201, case_payload(load_context(case), me))


@router.get("/{case_id}", response={200: CaseOut, **ERRORS})
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case, me = access_case(the_user(request), case_id)
    return case_payload(load_context(case), me)


@router.post("/{case_id}/invitations", response={201: InviteOut, **ERRORS})
def invite(request: HttpRequest, case_id: int, payload: InviteIn) -> Status[dict[str, Any]]:
    invitation, _ = do_invite(
        acting_user=the_user(request),
        case_id=case_id,
        email=payload.email,
        display_name=payload.name,
        role=payload.role,
        side_id=payload.side,
        side_label=payload.side_label,
    )
    return Status(
        201,
        {
            "id": invitation.pk,
            "email": invitation.email,
            "role": invitation.role,
            "side": invitation.side_id,
        },
    )


class InvitationRow(Schema):
    id: int
    email: str
    name: str
    role: str
    side: int | None
    status: str


@router.get("/{case_id}/invitations", response={200: list[InvitationRow], **ERRORS})
def list_invitations(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    case, me = access_case(the_user(request), case_id)
    if me.role != Role.MEDIATOR:
        return []
    return [
        {
            "id": i.pk,
            "email": i.email,
            "name": i.display_name,
            "role": i.role,
            "side": i.side_id,
            "status": i.status,
        }
        for i in Invitation.objects.filter(case=case).exclude(status=InvitationStatus.REVOKED)
    ]


@router.get("/{case_id}/termination-warning", response={200: WarningOut, **ERRORS})
def get_termination_warning(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return {"warning": termination_warning(acting_user=the_user(request), case_id=case_id)}


class RetentionIn(Schema):
    days: int = Field(ge=0, le=3650)


class RetentionOut(Schema):
    days: int
    destroy_on: str | None
    notice_sent_at: str | None
    destroyed_at: str | None


def retention_payload(case: Case) -> dict[str, Any]:
    due = destruction_date(case)
    return {
        "days": retention_days_of(case),
        "destroy_on": due.isoformat() if due else None,
        "notice_sent_at": case.retention_notice_at.isoformat()
        if case.retention_notice_at
        else None,
        "destroyed_at": case.content_destroyed_at.isoformat()
        if case.content_destroyed_at
        else None,
    }


@router.get("/{case_id}/retention", response={200: RetentionOut, **ERRORS})
def get_retention(request: HttpRequest, case_id: int) -> dict[str, Any]:
    """How long the content is kept after the case ends, and when it will be (or was)
    destroyed (R11.4)."""
    case, _ = access_case(the_user(request), case_id)
    return retention_payload(case)


@router.post("/{case_id}/retention", response={200: RetentionOut, **ERRORS})
def shorten_retention(request: HttpRequest, case_id: int, payload: RetentionIn) -> dict[str, Any]:
    """The mediator shortens the period the agreement set (never lengthens it)."""
    case = do_shorten_retention(acting_user=the_user(request), case_id=case_id, days=payload.days)
    return retention_payload(case)


class CurrencyIn(Schema):
    currency: str = Field(max_length=3)


@router.post("/{case_id}/currency", response={200: CaseOut, **ERRORS})
def set_currency(request: HttpRequest, case_id: int, payload: CurrencyIn) -> dict[str, Any]:
    """The mediator chooses the case's currency (ISO 4217) during set-up; it is fixed once the
    case is active (409 currency_fixed)."""
    user = the_user(request)
    do_set_currency(acting_user=user, case_id=case_id, currency=payload.currency)
    case, me = access_case(user, case_id)
    return case_payload(load_context(case), me)


@router.post("/{case_id}/terminate", response={200: CaseOut, **ERRORS})
def terminate(request: HttpRequest, case_id: int, payload: TerminateIn) -> dict[str, Any]:
    user = the_user(request)
    do_terminate(
        acting_user=user,
        case_id=case_id,
        statement=payload.statement,
        confirm_court_order=payload.confirm_court_order,
    )
    case, me = access_case(user, case_id)
    return case_payload(load_context(case), me)


@router.get("/{case_id}/export", response={200: dict[str, Any], **ERRORS})
def export(request: HttpRequest, case_id: int) -> dict[str, Any]:
    """My record of the case as JSON, at once: exactly what I can see, stamped (R5.2). For a
    long case, and for the PDF, ask for an export job (`POST /cases/{id}/exports`)."""
    return export_for(the_user(request), case_id)


@router.get("/{case_id}/report", response={200: dict[str, Any], **ERRORS})
def report(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return report_for(the_user(request), case_id)


class NameCorrectionIn(Schema):
    name: ShortText


class NameCorrectionOut(Schema):
    id: int
    participant: int
    current_name: str
    requested_name: str
    status: str
    created_at: str
    decided_at: str | None


def name_correction_payload(correction: NameCorrection) -> dict[str, Any]:
    return {
        "id": correction.pk,
        "participant": correction.participant_id,
        "current_name": correction.current_name,
        "requested_name": correction.requested_name,
        "status": correction.status,
        "created_at": correction.created_at.isoformat(),
        "decided_at": correction.decided_at.isoformat() if correction.decided_at else None,
    }


@router.get("/{case_id}/name-corrections", response={200: list[NameCorrectionOut], **ERRORS})
def list_name_corrections(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    """R11.1: the mediator sees every request in the case; anyone else their own."""
    case, me = access_case(the_user(request), case_id)
    rows = NameCorrection.objects.filter(case=case)
    if me.role != Role.MEDIATOR:
        rows = rows.filter(participant=me)
    return [name_correction_payload(c) for c in rows]


@router.post("/{case_id}/name-corrections", response={201: NameCorrectionOut, **ERRORS})
def request_name_correction(
    request: HttpRequest, case_id: int, payload: NameCorrectionIn
) -> Status[dict[str, Any]]:
    correction = do_request_name_correction(
        acting_user=the_user(request), case_id=case_id, name=payload.name
    )
    return Status(201, name_correction_payload(correction))


@router.post(
    "/{case_id}/name-corrections/{correction_id}/{decision}",
    response={200: NameCorrectionOut, **ERRORS},
)
def decide_name_correction(
    request: HttpRequest, case_id: int, correction_id: Id, decision: Literal["apply", "decline"]
) -> dict[str, Any]:
    correction = do_decide_name_correction(
        acting_user=the_user(request),
        case_id=case_id,
        correction_id=correction_id,
        apply=decision == "apply",
    )
    return name_correction_payload(correction)
