from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from parley.accounts.auth import request_user as the_user
from parley.apischema import ERRORS, MAX_ID
from parley.audit.actions import CHAIN_PAGE, chain_page, verify_for
from parley.cases.access import access_case, load_context

router = Router(tags=["audit"])

# A position in the chain as a query parameter: refused (422) past 64 bits, never a 500.
Seq = Annotated[int, Field(ge=0, le=MAX_ID)]


class OpeningOut(Schema):
    salt: str
    record: dict[str, Any]


class LinkOut(Schema):
    seq: int
    commitment: str
    prev_hash: str
    hash: str
    opening: OpeningOut | None


class VerdictOut(Schema):
    ok: bool
    events: int
    opened: int
    problem: str
    head: str


@router.get("/{case_id}/audit", response={200: list[LinkOut], **ERRORS})
def audit_log(
    request: HttpRequest,
    case_id: int,
    after: Seq = 0,
    before: Seq | None = None,
    limit: Seq = CHAIN_PAGE,
) -> list[dict[str, Any]]:
    """The chain a page at a time, oldest first within a page, like a room's timeline: the
    links with seq greater than `after` (resume from the last seq you hold until a page comes
    back empty), or with `before` the links just before that seq: `before` past the head (any
    larger number; the head's seq is `events` in /audit/verify) gives the newest page, and a
    reader pages back until seq 1. At most `limit` links, 1 to 1000, 200 by default.
    With them a participant recomputes the chain on their own machine: every link
    (seq, commitment, prev_hash, hash = SHA-256 of canonical JSON {case, seq, commitment,
    prev}), and the opening (salt and record, commitment = SHA-256(salt bytes || canonical
    record)) of each event about something this participant may see (R9.1, R3.6). A
    participant who has not signed yet gets the links alone (R2.3)."""
    case, me = access_case(the_user(request), case_id)
    return [
        {
            "seq": link.seq,
            "commitment": link.commitment,
            "prev_hash": link.prev_hash,
            "hash": link.hash,
            "opening": {"salt": opening.salt, "record": opening.record} if opening else None,
        }
        for link, opening in chain_page(
            load_context(case), me, after=after, before=before, limit=limit
        )
    ]


@router.get("/{case_id}/audit/verify", response={200: VerdictOut, **ERRORS})
def audit_verify(request: HttpRequest, case_id: int) -> dict[str, Any]:
    """Checks every link and every opening this participant holds."""
    case, me = access_case(the_user(request), case_id)
    verdict = verify_for(load_context(case), me)
    return {
        "ok": verdict.ok,
        "events": verdict.events,
        "opened": verdict.opened,
        "problem": verdict.problem,
        "head": case.audit_head,
    }
