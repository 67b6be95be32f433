from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from parley.accounts.api import the_user
from parley.apischema import ERRORS
from parley.audit.actions import links_of, verify_case
from parley.cases.access import access_case

router = Router(tags=["audit"])


class LinkOut(Schema):
    seq: int
    kind: str
    actor_id: int | None
    created_at: str
    subject_id: int | None
    content_hashes: dict[str, Any]
    prev_hash: str
    hash: str


class VerdictOut(Schema):
    ok: bool
    events: int
    problem: str
    head: str


@router.get("/{case_id}/audit", response={200: list[LinkOut], **ERRORS})
def audit_log(request: HttpRequest, case_id: int) -> list[Any]:
    """The chain itself, so a participant can recompute it on their own machine."""
    case, _ = access_case(the_user(request), case_id)
    return list(links_of(case))


@router.get("/{case_id}/audit/verify", response={200: VerdictOut, **ERRORS})
def audit_verify(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case, _ = access_case(the_user(request), case_id)
    verdict = verify_case(case)
    return {
        "ok": verdict.ok,
        "events": verdict.events,
        "problem": verdict.problem,
        "head": case.audit_head,
    }
