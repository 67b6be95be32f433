"""The operator's API (staff only; anyone else gets the same 404 as a missing page)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from parley.accounts.actions import do_decide_mediator, do_reset_second_factor
from parley.accounts.auth import request_user as the_user
from parley.apischema import ERRORS, ShortText
from parley.ops import operator

router = Router(tags=["operator"])


class OperatorAccountOut(Schema):
    id: int
    email: str
    full_name: str
    is_active: bool
    is_staff: bool
    can_mediate: bool
    mediator_application: str
    date_joined: datetime
    last_login: datetime | None
    has_second_factor: bool


class OperatorCaseOut(Schema):
    id: int
    title: str
    status: str
    outcome: str
    created_at: datetime
    activated_at: datetime | None
    terminated_at: datetime | None
    people: int
    parties: int
    entries_count: int
    offers_count: int


class SecondFactorResetIn(Schema):
    reason: ShortText


class Done(Schema):
    ok: bool


@router.get("/accounts", response={200: list[OperatorAccountOut], **ERRORS})
def list_accounts(request: HttpRequest) -> list[dict[str, Any]]:
    return operator.accounts(the_user(request))


@router.get("/cases", response={200: list[OperatorCaseOut], **ERRORS})
def list_cases(request: HttpRequest) -> list[dict[str, Any]]:
    """Metadata only (R1.3): no content of any case."""
    return operator.cases(the_user(request))


@router.post("/accounts/{user_id}/approve", response={200: Done, **ERRORS})
def approve(request: HttpRequest, user_id: int) -> dict[str, bool]:
    do_decide_mediator(acting_user=the_user(request), user_id=user_id, approve=True)
    return {"ok": True}


@router.post("/accounts/{user_id}/refuse", response={200: Done, **ERRORS})
def refuse(request: HttpRequest, user_id: int) -> dict[str, bool]:
    do_decide_mediator(acting_user=the_user(request), user_id=user_id, approve=False)
    return {"ok": True}


@router.post("/accounts/{user_id}/reset-second-factor", response={200: Done, **ERRORS})
def reset_second_factor(
    request: HttpRequest, user_id: int, payload: SecondFactorResetIn
) -> dict[str, bool]:
    do_reset_second_factor(acting_user=the_user(request), user_id=user_id, reason=payload.reason)
    return {"ok": True}
