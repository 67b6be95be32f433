from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from parley.accounts.auth import request_user as the_user
from parley.agreements.actions import (
    do_acknowledge_disclosure,
    do_add_disclosure,
    do_issue_agreement,
    do_set_agreement,
    do_sign,
)
from parley.agreements.models import ConflictDisclosure, DisclosureAcknowledgement, Signature
from parley.agreements.policy import NO_LEGAL_ADVICE_NOTICE, AgreementPolicy
from parley.apischema import ERRORS, LongText, ShortText
from parley.cases.access import access_case, current_agreement
from parley.cases.policy import CourtOrder
from parley.errors import DomainError
from parley.rooms.policy import Instruction

router = Router(tags=["agreement"])


class CourtOrderIn(Schema):
    court: ShortText
    order_reference: ShortText
    min_sessions: int = Field(0, ge=0, le=100)


class AgreementIn(Schema):
    caucus_default: Instruction = Instruction.MAY_DISCLOSE
    results_confidential: bool = False
    retention_days: int = Field(365, ge=0, le=3650)
    court_order: CourtOrderIn | None = None
    own_text: LongText | None = None


class DisclosureIn(Schema):
    text: LongText = ""
    none: bool = False


class DisclosureOut(Schema):
    id: int
    text: str
    is_none: bool
    needs_acknowledgement: bool
    acknowledged_by_me: bool


class AgreementOut(Schema):
    version: int
    issued: bool
    source: str
    text: str
    sha256: str
    language: str
    caucus_default: str
    results_confidential: bool
    court_order: dict[str, Any] | None
    notice: str
    disclosures: list[DisclosureOut]
    signed_by_me: bool
    my_name: str


class AgreementSignIn(Schema):
    typed_name: ShortText
    consent: bool
    sha256: ShortText


class AgreementSignatureOut(Schema):
    id: int
    signed_at: str
    text_sha256: str
    language: str


def agreement_payload(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case, me = access_case(the_user(request), case_id)
    agreement = current_agreement(case)
    if agreement is None:
        raise DomainError(
            "no_agreement", _("The mediator has not chosen the agreement yet."), status=404
        )
    shown = agreement.text_for(translation.get_language())
    acked = set(
        DisclosureAcknowledgement.objects.filter(participant=me).values_list(
            "disclosure_id", flat=True
        )
    )
    return {
        "version": agreement.version,
        "issued": agreement.issued_at is not None,
        "source": agreement.source,
        # R2.2: the reader is shown, and signs, the text in their own language where there is one.
        "text": shown.text,
        "sha256": shown.sha256,
        "language": shown.language,
        "caucus_default": agreement.caucus_default,
        "results_confidential": agreement.results_confidential,
        "court_order": agreement.court_order,
        "notice": str(NO_LEGAL_ADVICE_NOTICE),
        "disclosures": [
            {
                "id": d.pk,
                "text": d.shown_text,
                "is_none": d.is_none,
                "needs_acknowledgement": d.needs_acknowledgement,
                "acknowledged_by_me": d.pk in acked,
            }
            for d in ConflictDisclosure.objects.filter(case=case)
        ],
        "signed_by_me": Signature.objects.filter(agreement=agreement, participant=me).exists(),
        "my_name": me.display_name,
    }


@router.get("/{case_id}/agreement", response={200: AgreementOut, **ERRORS})
def get_agreement(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return agreement_payload(request, case_id)


@router.put("/{case_id}/agreement", response={200: AgreementOut, **ERRORS})
def set_agreement(request: HttpRequest, case_id: int, payload: AgreementIn) -> dict[str, Any]:
    order = payload.court_order
    do_set_agreement(
        acting_user=the_user(request),
        case_id=case_id,
        policy=AgreementPolicy(
            caucus_default=payload.caucus_default,
            results_confidential=payload.results_confidential,
            retention_days=payload.retention_days,
            court_order=CourtOrder(order.court, order.order_reference, order.min_sessions)
            if order
            else None,
        ),
        own_text=payload.own_text,
    )
    return agreement_payload(request, case_id)


@router.post("/{case_id}/disclosures", response={201: DisclosureOut, **ERRORS})
def add_disclosure(
    request: HttpRequest, case_id: int, payload: DisclosureIn
) -> Status[dict[str, Any]]:
    d = do_add_disclosure(
        acting_user=the_user(request), case_id=case_id, text=payload.text, is_none=payload.none
    )
    return Status(
        201,
        {
            "id": d.pk,
            "text": d.shown_text,
            "is_none": d.is_none,
            "needs_acknowledgement": d.needs_acknowledgement,
            "acknowledged_by_me": False,
        },
    )


@router.post(
    "/{case_id}/disclosures/{disclosure_id}/acknowledge", response={200: dict[str, Any], **ERRORS}
)
def acknowledge(request: HttpRequest, case_id: int, disclosure_id: int) -> dict[str, Any]:
    do_acknowledge_disclosure(
        acting_user=the_user(request), case_id=case_id, disclosure_id=disclosure_id
    )
    return {"acknowledged": True}


@router.post("/{case_id}/agreement/issue", response={200: AgreementOut, **ERRORS})
def issue(request: HttpRequest, case_id: int) -> dict[str, Any]:
    do_issue_agreement(acting_user=the_user(request), case_id=case_id)
    return agreement_payload(request, case_id)


@router.post("/{case_id}/agreement/sign", response={201: AgreementSignatureOut, **ERRORS})
def sign(request: HttpRequest, case_id: int, payload: AgreementSignIn) -> Status[dict[str, Any]]:
    signature = do_sign(
        acting_user=the_user(request),
        case_id=case_id,
        typed_name=payload.typed_name,
        consent=payload.consent,
        shown_sha256=payload.sha256,
    )
    return Status(
        201,
        {
            "id": signature.pk,
            "signed_at": signature.signed_at.isoformat(),
            "text_sha256": signature.text_sha256,
            "language": signature.signed_language,
        },
    )
