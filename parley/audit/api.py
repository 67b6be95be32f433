from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from parley.accounts.auth import request_user as the_user
from parley.apischema import ERRORS
from parley.audit.actions import links_of, verify_case
from parley.cases.access import access_case, load_context
from parley.cases.models import Case
from parley.errors import NotFound

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


def access_chain(request: HttpRequest, case_id: int) -> Case:
    """The chain is metadata about content (who did what, when, commitments to content), so it
    is open to the same people as the content: signed participants (R2.2, R2.3)."""
    case, me = access_case(the_user(request), case_id)
    if not load_context(case).person(me).signed:
        raise NotFound()
    return case


@router.get("/{case_id}/audit", response={200: list[LinkOut], **ERRORS})
def audit_log(request: HttpRequest, case_id: int) -> list[Any]:
    """The chain itself, so a participant can recompute it on their own machine."""
    return list(links_of(access_chain(request, case_id)))


@router.get("/{case_id}/audit/verify", response={200: VerdictOut, **ERRORS})
def audit_verify(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = access_chain(request, case_id)
    verdict = verify_case(case)
    return {
        "ok": verdict.ok,
        "events": verdict.events,
        "problem": verdict.problem,
        "head": case.audit_head,
    }
