"""The record a participant takes away (R5.2), and the report to a court (R5.4).

Both read through the same policy as the pages. The mediator's notebook is never exported.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parley.accounts.models import User
from parley.agreements.models import Signature
from parley.agreements.policy import signature_holds
from parley.cases.access import CaseContext, access_case, load_context
from parley.cases.models import Case, Participant
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
from parley.rooms.models import Entry, Room
from parley.rooms.policy import RoomKind
from parley.rooms.queries import my_rooms
from parley.rooms.serialize import ENTRY_RELATED, entry_payload
from parley.vault.keys import ContentDestroyed

# In the language of the person the record is made for (str() at the time of writing).
PRIVILEGED_STAMP = gettext_lazy("PRIVILEGED AND CONFIDENTIAL: mediation communication")
NOT_CONFIDENTIAL_STAMP = gettext_lazy("NOT CONFIDENTIAL: written after the mediation ended")

# Entries are read, decrypted and handed on this many at a time, so an export holds one batch
# in memory however long the case is.
ENTRY_BATCH = 500


@dataclass(frozen=True)
class Record:
    """What one person takes away from a case (R5.2): the head of the record and the rooms
    whose entries they may read. `open_record` made it through the policy; nothing else does."""

    ctx: CaseContext
    me: Participant
    head: dict[str, Any]
    rooms: list[Room]

    def room_head(self, room: Room) -> dict[str, Any]:
        return {"id": room.pk, "kind": room.kind, "label": room.label}


def open_record(user: User, case_id: int) -> Record:
    """The record `user` may take of the case: NotFound for anyone outside it (R3.6),
    ContentDestroyed once the retention policy destroyed the case key (R11.4)."""
    case, me = access_case(user, case_id)
    if case.content_destroyed_at is not None:
        raise ContentDestroyed(case.content_destroyed_at)
    ctx = load_context(case)
    person = ctx.person(me)
    results_confidential = bool(ctx.agreement and ctx.agreement.results_confidential)
    head: dict[str, Any] = {
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
        "audit": {"events": case.audit_count, "head": case.audit_head},
    }
    if ctx.agreement is not None and ctx.agreement.issued_at is not None:
        signatures = Signature.objects.filter(agreement=ctx.agreement).select_related("participant")
        texts = ctx.agreement.texts()
        shown = ctx.agreement.text_for(translation.get_language())
        head["agreement"] = {
            "version": ctx.agreement.version,
            "sha256": shown.sha256,
            "language": shown.language,
            "text": shown.text if person.signed else None,
            # Each text of the version, by language, with its own SHA-256.
            "sha256_by_language": {t.language: t.sha256 for t in texts.values()},
            "signatures": [
                {
                    "name": s.typed_name,
                    "role": s.participant.role,
                    "signed_at": s.signed_at.isoformat(),
                    # The language of the text the person read and signed, and its hash.
                    "language": s.signed_language,
                    "text_sha256": s.text_sha256,
                    "verified": signature_holds(texts, s.signed_language, s.text_sha256),
                }
                for s in signatures
            ],
        }
    # R3.4: the notebook is work product: never exported, not even to the mediator.
    rooms = [r for r in my_rooms(ctx, me) if r.kind != RoomKind.NOTEBOOK]
    return Record(ctx=ctx, me=me, head=head, rooms=rooms)


def count_entries(record: Record) -> int:
    return Entry.objects.filter(case=record.ctx.case, room__in=record.rooms).count()


def room_entries(record: Record, room: Room, *, batch: int = ENTRY_BATCH) -> Iterator[list[Any]]:
    """The room's entries as the record gives them (each stamped privileged or not, R5.1),
    oldest first, `batch` at a time: one query per batch, resuming after the last id.

    Precondition: `room` is one of `record.rooms`."""
    after = 0
    while True:
        rows = list(
            Entry.objects.filter(room=room, pk__gt=after)
            .select_related(*ENTRY_RELATED)
            .order_by("pk")[:batch]
        )
        if not rows:
            return
        items = []
        for entry in rows:
            item = entry_payload(entry)
            item["stamp"] = str(PRIVILEGED_STAMP if entry.privileged else NOT_CONFIDENTIAL_STAMP)
            items.append(item)
        yield items
        if len(rows) < batch:
            return
        after = rows[-1].pk


def export_for(user: User, case_id: int) -> dict[str, Any]:
    """Exactly what `user` can see in the case, privileged items stamped as such, as one
    value (the API's immediate JSON; a long case is better taken as an export job)."""
    record = open_record(user, case_id)
    return {
        **record.head,
        "rooms": [
            {
                **record.room_head(room),
                "entries": [item for items in room_entries(record, room) for item in items],
            }
            for room in record.rooms
        ],
    }


def write_record_json(
    record: Record, out: IO[bytes], *, progress: Callable[[int], None] | None = None
) -> None:
    """The same value as `export_for`, written to `out` a batch of entries at a time (one
    entry per line); `progress(n)` after each batch with the number of entries done."""
    out.write(json.dumps(record.head, ensure_ascii=False)[:-1].encode() + b', "rooms": [')
    done = 0
    for r, room in enumerate(record.rooms):
        room_head = json.dumps(record.room_head(room), ensure_ascii=False)[:-1]
        out.write(f'{"," if r else ""}\n{room_head}, "entries": ['.encode())
        first = True
        for batch in room_entries(record, room):
            for item in batch:
                out.write(b"\n" if first else b",\n")
                out.write(json.dumps(item, ensure_ascii=False).encode())
                first = False
            done += len(batch)
            if progress is not None:
                progress(done)
        out.write(b"]}")
    out.write(b"\n]}\n")


def _outcome(case: Case, results_confidential: bool, reader_signed: bool) -> dict[str, Any] | None:
    """R7.1: everyone learns that the mediation ended; R5.3: the outcome only if they may."""
    if case.status != CaseStatus.TERMINATED:
        return None
    confidential = outcome_is_confidential(results_confidential)
    return {
        "ended_at": case.terminated_at.isoformat() if case.terminated_at else None,
        "outcome": case.outcome if outcome_visible(results_confidential, reader_signed) else None,
        "confidential": confidential,
        "stamp": str(PRIVILEGED_STAMP) if confidential else None,
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
                kind=str(SessionKind(h.session.kind).label),
                held_on=h.session.starts_at.astimezone(ZoneInfo(h.session.time_zone))
                .date()
                .isoformat(),
                starts_at=h.session.starts_at.isoformat(),
                ends_at=h.session.ends_at.isoformat(),
                every_party_present=h.every_party,
                attendees=[
                    {"name": a.display_name, "role": str(Role(a.role).label)} for a in h.attendees
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
        raise Forbidden("mediator_only", _("Only the mediator prepares the report to the court."))
    report = report_for_case(case, reader_signed=load_context(case).person(me).signed)
    return {**asdict(report), "sha256": report_content_hash(report)}
