"""The record a participant takes away (R5.2), and the report to a court (R5.4).

Both read through the same policy as the pages. The mediator's notebook is never exported.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from parley.accounts.models import User
from parley.agreements.models import Signature
from parley.cases.access import access_case, load_context
from parley.cases.models import Case
from parley.cases.policy import (
    CaseStatus,
    Outcome,
    Role,
    outcome_is_confidential,
    outcome_visible,
)
from parley.errors import Forbidden
from parley.meetings.policy import SessionKind
from parley.meetings.queries import held_sessions
from parley.rooms.policy import RoomKind
from parley.rooms.queries import my_rooms, visible_entries
from parley.rooms.serialize import entry_payload

PRIVILEGED_STAMP = "PRIVILEGED AND CONFIDENTIAL: mediation communication"
NOT_CONFIDENTIAL_STAMP = "NOT CONFIDENTIAL: written after the mediation ended"


def export_for(user: User, case_id: int) -> dict[str, Any]:
    """Exactly what `user` can see in the case, privileged items stamped as such."""
    case, me = access_case(user, case_id)
    ctx = load_context(case)
    person = ctx.person(me)
    results_confidential = bool(ctx.agreement and ctx.agreement.results_confidential)
    data: dict[str, Any] = {
        "format": "parley-export/1",
        "exported_at": timezone.now().isoformat(),
        "exported_by": {"name": me.display_name, "role": me.role},
        "case": {
            "id": case.pk,
            "title": case.title,
            "reference": case.reference,
            "status": case.status,
        },
        "outcome": _outcome(case, results_confidential, person.signed),
        "agreement": None,
        "rooms": [],
        "audit": {"events": case.audit_count, "head": case.audit_head},
    }
    if ctx.agreement is not None and ctx.agreement.issued_at is not None:
        signatures = Signature.objects.filter(agreement=ctx.agreement).select_related("participant")
        data["agreement"] = {
            "version": ctx.agreement.version,
            "sha256": ctx.agreement.sha256,
            "text": ctx.agreement.text if person.signed else None,
            "signatures": [
                {
                    "name": s.typed_name,
                    "role": s.participant.role,
                    "signed_at": s.signed_at.isoformat(),
                    "text_sha256": s.text_sha256,
                }
                for s in signatures
            ],
        }
    # R3.4: the notebook is work product: never exported, not even to the mediator.
    rooms = [r for r in my_rooms(ctx, me) if r.kind != RoomKind.NOTEBOOK]
    by_room: dict[int, list[dict[str, Any]]] = {r.pk: [] for r in rooms}
    for entry in visible_entries(ctx, me):
        if entry.room_id not in by_room:
            continue
        item = entry_payload(entry)
        item["stamp"] = PRIVILEGED_STAMP if entry.privileged else NOT_CONFIDENTIAL_STAMP
        by_room[entry.room_id].append(item)
    data["rooms"] = [
        {"id": r.pk, "kind": r.kind, "label": r.label, "entries": by_room[r.pk]} for r in rooms
    ]
    return data


def _outcome(case: Case, results_confidential: bool, reader_signed: bool) -> dict[str, Any] | None:
    """R7.1: everyone learns that the mediation ended; R5.3: the outcome only if they may."""
    if case.status != CaseStatus.TERMINATED:
        return None
    confidential = outcome_is_confidential(results_confidential)
    return {
        "ended_at": case.terminated_at.isoformat() if case.terminated_at else None,
        "outcome": case.outcome if outcome_visible(results_confidential, reader_signed) else None,
        "confidential": confidential,
        "stamp": PRIVILEGED_STAMP if confidential else None,
    }


@dataclass(frozen=True)
class SessionAttendance:
    number: int
    kind: str
    held_on: str
    starts_at: str
    ends_at: str
    every_party_present: bool
    attendees: list[dict[str, str]]


@dataclass(frozen=True)
class Report:
    """Uniform Mediation Act §7: fixed fields only, no free text from the mediation."""

    case_reference: str
    mediation_took_place: bool
    terminated: bool
    terminated_on: str | None
    settlement_reached: bool | None
    sessions: list[SessionAttendance]


def report_for_case(case: Case, *, reader_signed: bool | None) -> Report:
    """Attendance comes from the rosters the mediator confirmed, and nothing else (R10.5).
    `reader_signed`: whether the reader signed the agreement; None for the operator. With
    `results_confidential`, whether a settlement was reached is withheld (None) from anyone
    who may not learn the outcome (R5.3)."""
    agreement = case.agreements.order_by("-version").first()
    results_confidential = bool(agreement and agreement.results_confidential)
    tells_outcome = outcome_visible(results_confidential, reader_signed)
    return Report(
        case_reference=case.reference or f"Parley case {case.pk}",
        mediation_took_place=case.activated_at is not None,
        terminated=case.status == CaseStatus.TERMINATED,
        terminated_on=case.terminated_at.date().isoformat() if case.terminated_at else None,
        settlement_reached=(case.outcome == Outcome.SETTLED)
        if case.status == CaseStatus.TERMINATED and tells_outcome
        else None,
        sessions=[
            SessionAttendance(
                number=n,
                kind=SessionKind(h.session.kind).label,
                held_on=h.session.starts_at.astimezone(ZoneInfo(h.session.time_zone))
                .date()
                .isoformat(),
                starts_at=h.session.starts_at.isoformat(),
                ends_at=h.session.ends_at.isoformat(),
                every_party_present=h.every_party,
                attendees=[
                    {"name": a.display_name, "role": Role(a.role).label} for a in h.attendees
                ],
            )
            for n, h in enumerate(held_sessions(case), start=1)
        ],
    )


def report_content_hash(report: Report) -> str:
    """SHA-256 of the report's fields, so a copy handed to a court can be checked."""
    raw = json.dumps(asdict(report), sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(raw).hexdigest()


def report_for(user: User, case_id: int) -> dict[str, Any]:
    """The mediator prepares the report (R5.4). It lists caucus sessions too, so it is the
    mediator's alone, like the caucuses themselves; whether it settled only if the mediator
    may learn the outcome (R5.3: signed, when results are confidential)."""
    case, me = access_case(user, case_id)
    if me.role != Role.MEDIATOR:
        raise Forbidden("mediator_only", "Only the mediator prepares the report to the court.")
    report = report_for_case(case, reader_signed=load_context(case).person(me).signed)
    return {**asdict(report), "sha256": report_content_hash(report)}
