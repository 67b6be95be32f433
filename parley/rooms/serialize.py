"""How an entry looks to a reader who may see it. Callers check visibility first."""

from __future__ import annotations

from typing import Any

from parley.cases.access import CaseContext
from parley.cases.models import Participant
from parley.rooms.models import Entry, EntryKind, Room
from parley.rooms.readers import readers_sentence
from parley.rooms.words import is_worded


def room_label(room: Room) -> str:
    return room.label


def entry_payload(entry: Entry) -> dict[str, Any]:
    """Precondition: the reader may see `entry` (rooms.policy.can_see). Uses select_related
    author, room__side, source__room__side, source__author, shared_by."""
    payload: dict[str, Any] = {
        "id": entry.pk,
        "room": entry.room_id,
        "kind": entry.kind,
        "author": entry.author.display_name if entry.author else None,
        "author_id": entry.author_id,
        "author_role": entry.author.role if entry.author else None,
        "body": entry.shown_body,
        "created_at": entry.created_at.isoformat(),
        "privileged": entry.privileged,
        "instruction": entry.instruction or None,
        "source": None,
        "client_key": entry.client_key or None,
        "audit_salt": entry.salt,
    }
    if is_worded(entry.kind, entry.body):
        # Parley's own words: the stored form (which the audit chain commits to), from which
        # each reader's socket writes the body in that reader's language.
        payload["worded"] = entry.body
    if entry.source is not None:
        source = entry.source
        payload["source"] = {
            "entry": source.pk,
            "room": room_label(source.room),
            "author": source.author.display_name if source.author else None,
            "shared_by": entry.shared_by.display_name if entry.shared_by else None,
        }
    # The kind check first: on an entry without a document, hasattr() would cost a query.
    if entry.kind == EntryKind.DOCUMENT and hasattr(entry, "document"):
        doc = entry.document
        payload["document"] = {
            "id": doc.pk,
            "name": doc.name,
            "size": doc.size,
            "sha256": doc.sha256,
            "content_type": doc.content_type,
            "provenance": doc.provenance,
        }
    return payload


def room_payload(ctx: CaseContext, me: Participant, room: Room) -> dict[str, Any]:
    return {
        "id": room.pk,
        "kind": room.kind,
        "side": room.side_id,
        "label": room.label,
        "readers": readers_sentence(ctx, me, room),
    }


ENTRY_RELATED = (
    "author",
    "room__side",
    "source__room__side",
    "source__author",
    "shared_by",
    "document",
)
