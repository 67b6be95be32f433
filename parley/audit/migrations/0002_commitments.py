"""Audit events become salted commitments (R9.1, R3.6): each event gets a salt, the audience
that may open it, and a commitment to its whole record; the chain links commitments.

The data step rewrites every case's chain in the new form, but only as far as the old chain
verifies: a chain already broken stays broken (its first bad event and everything after it keep
their old link fields, which do not verify in the new form), so the migration never launders
tampering. Self-contained: it imports no app code (hashing and the audience rules of the time
are copied here)."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC
from typing import Any

from django.db import migrations, models

GENESIS = "0" * 64
JOINT_KINDS = {
    "proposal_presented",
    "settlement_drafted",
    "settlement_signed",
    "bidding_configured",
    "bidding_settled",
    "bidding_failed",
    "bidding_round_failed",
    "bidding_closed",
    "issues_set",
}
OFFER_KINDS = {
    "offer_made",
    "offer_countered",
    "offer_answered",
    "offer_accepted",
    "offer_rejected",
    "offer_withdrawn",
    "offer_expired",
    "proposal_presented",
}
SESSION_KINDS = {"session_scheduled", "session_moved", "session_cancelled", "attendance_confirmed"}
ENTRY_KINDS = {"entry_posted", "instruction_changed", "document_uploaded"}


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def stamp(moment: Any) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def old_hash(case_id: int, e: Any) -> str:
    data = {
        "case": case_id,
        "seq": e.seq,
        "kind": e.kind,
        "actor": e.actor_id,
        "at": stamp(e.created_at),
        "subject": e.subject_id,
        "hashes": e.content_hashes,
        "prev": e.prev_hash,
    }
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
    ).hexdigest()


def audience_of(apps: Any, case: Any, e: Any) -> dict[str, Any]:
    """The audience rules of audit/policy.py, applied to what an old event names."""
    Entry = apps.get_model("rooms", "Entry")
    Room = apps.get_model("rooms", "Room")
    Rating = apps.get_model("negotiation", "Rating")
    Participant = apps.get_model("cases", "Participant")
    mediator_only: dict[str, Any] = {"mediator": True}

    def rooms(ids: Any) -> dict[str, Any]:
        ids = sorted({int(i) for i in ids if i is not None})
        return {"rooms": ids} if ids else mediator_only

    kind = e.kind
    if kind in ENTRY_KINDS:
        return rooms(Entry.objects.filter(pk=e.subject_id).values_list("room_id", flat=True))
    if kind == "entry_shared":
        return rooms([e.content_hashes.get("room")])
    if kind in OFFER_KINDS:
        return {"offer": e.subject_id}
    if kind in JOINT_KINDS:
        return rooms(Room.objects.filter(case=case, kind="joint").values_list("pk", flat=True))
    if kind == "ratings_recorded":
        rating = Rating.objects.filter(pk=e.subject_id).first()
        if rating is None:
            return mediator_only
        return rooms(Entry.objects.filter(pk=rating.entry_id).values_list("room_id", flat=True))
    if kind == "bid_sealed":
        side = Participant.objects.filter(pk=e.actor_id).values_list("side_id", flat=True).first()
        return {"side": side} if side is not None else mediator_only
    if kind == "case_terminated" and "declared_by" in e.content_hashes:
        side = case.terminated_by.side_id if case.terminated_by_id else None
        return rooms(
            Room.objects.filter(case=case, kind="caucus", side_id=side).values_list("pk", flat=True)
        )
    if kind == "invitation_created":
        return mediator_only
    if kind in SESSION_KINDS or kind in ("poll_created", "poll_closed"):
        model = apps.get_model("meetings", "Session" if kind in SESSION_KINDS else "Poll")
        meeting = model.objects.filter(pk=e.subject_id).first()
        if meeting is None:
            return mediator_only
        if meeting.kind == "joint":
            found = Room.objects.filter(case=case, kind="joint")
        else:
            found = Room.objects.filter(case=case, kind="caucus", side_id=meeting.side_id)
        return rooms(found.values_list("pk", flat=True))
    if kind == "poll_answered":
        return {"mediator": True, "people": [e.actor_id]} if e.actor_id else mediator_only
    return {"everyone": True}


def forward(apps: Any, schema_editor: Any) -> None:
    Case = apps.get_model("cases", "Case")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    for case in Case.objects.order_by("pk").iterator():
        old_prev = GENESIS
        new_prev = GENESIS
        intact = True
        events = list(AuditEvent.objects.filter(case=case).order_by("pk"))
        for expected, e in enumerate(events, start=1):
            intact = intact and (
                e.seq == expected and e.prev_hash == old_prev and old_hash(case.pk, e) == e.hash
            )
            old_prev = e.hash
            audience = audience_of(apps, case, e)
            salt = secrets.token_hex(16)
            record = {
                "case": case.pk,
                "seq": e.seq,
                "kind": e.kind,
                "actor_id": e.actor_id,
                "subject_id": e.subject_id,
                "at": stamp(e.created_at),
                "content_hashes": e.content_hashes,
                "audience": audience,
            }
            commitment = hashlib.sha256(bytes.fromhex(salt) + canonical(record)).hexdigest()
            fields: dict[str, Any] = {"salt": salt, "audience": audience}
            if intact:
                digest = hashlib.sha256(
                    canonical(
                        {"case": case.pk, "seq": e.seq, "commitment": commitment, "prev": new_prev}
                    )
                ).hexdigest()
                fields.update(commitment=commitment, prev_hash=new_prev, hash=digest)
                new_prev = digest
            AuditEvent.objects.filter(pk=e.pk).update(**fields)
        if intact and len(events) == case.audit_count and old_prev == (case.audit_head or GENESIS):
            Case.objects.filter(pk=case.pk).update(audit_head=new_prev if events else "")


def backward(apps: Any, schema_editor: Any) -> None:
    """Back to the old link form, again only as far as the new chain verifies."""
    Case = apps.get_model("cases", "Case")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    for case in Case.objects.order_by("pk").iterator():
        prev = GENESIS
        new_prev = GENESIS
        intact = True
        events = list(AuditEvent.objects.filter(case=case).order_by("pk"))
        for e in events:
            intact = intact and e.prev_hash == new_prev
            new_prev = e.hash
            if not intact:
                break
            e.prev_hash = prev
            digest = old_hash(case.pk, e)
            AuditEvent.objects.filter(pk=e.pk).update(prev_hash=prev, hash=digest)
            prev = digest
        if intact:
            Case.objects.filter(pk=case.pk).update(audit_head=prev if events else "")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("cases", "0002_roster_version"),
        ("meetings", "0002_sessions_recorded_before"),
        ("negotiation", "0001_initial"),
        ("rooms", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="salt",
            field=models.CharField(default="", max_length=32),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="audience",
            field=models.JSONField(default=dict),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="commitment",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(forward, backward),
    ]
