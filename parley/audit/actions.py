"""Appending to and verifying a case's audit chain."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from parley.audit.chain import GENESIS, Link, Verdict, link_hash, verify
from parley.audit.models import AuditEvent
from parley.cases.models import Case
from parley.inserts import insert


def stamp(moment: datetime) -> str:
    """Microsecond precision, fixed format: the same string is hashed now and on verification."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record_event(
    case: Case,
    kind: str,
    *,
    actor_id: int | None,
    subject_id: int | None = None,
    content_hashes: dict[str, Any] | None = None,
    event_id: int | None = None,
) -> AuditEvent:
    """Append one event. Precondition: the caller holds the case row lock (select_for_update)
    inside the transaction that makes the change, so the chain and the change commit together.
    `event_id`: an id reserved after taking that lock (inserts.reserve_ids_sql), or None."""
    seq = case.audit_count + 1
    prev = case.audit_head or GENESIS
    now = timezone.now()
    created_at = stamp(now)
    hashes = content_hashes or {}
    digest = link_hash(
        case_id=case.pk,
        seq=seq,
        kind=kind,
        actor_id=actor_id,
        created_at=created_at,
        subject_id=subject_id,
        content_hashes=hashes,
        prev_hash=prev,
    )
    event = AuditEvent(
        id=event_id,
        case=case,
        seq=seq,
        kind=kind,
        actor_id=actor_id,
        created_at=now,
        subject_id=subject_id,
        content_hashes=hashes,
        prev_hash=prev,
        hash=digest,
    )
    insert(event)
    case.audit_count = seq
    case.audit_head = digest
    with connection.cursor() as cursor:
        cursor.execute(
            # The table name is the model's own; values are parameters.
            f"UPDATE {Case._meta.db_table} SET audit_head = %s, audit_count = %s WHERE id = %s",  # noqa: S608
            [digest, seq, case.pk],
        )
    return event


def links_of(case: Case) -> list[Link]:
    return [
        Link(
            seq=e.seq,
            kind=e.kind,
            actor_id=e.actor_id,
            created_at=stamp(e.created_at),
            subject_id=e.subject_id,
            content_hashes=e.content_hashes,
            prev_hash=e.prev_hash,
            hash=e.hash,
        )
        # Ordered by primary key, the order of insertion: a reordered seq is then detected.
        for e in AuditEvent.objects.filter(case=case).order_by("pk")
    ]


def verify_case(case: Case) -> Verdict:
    case.refresh_from_db(fields=["audit_head", "audit_count"])
    return verify(case.pk, links_of(case), case.audit_head, case.audit_count)
