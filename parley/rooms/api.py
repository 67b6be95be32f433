from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from parley.accounts.auth import request_user as the_user
from parley.apischema import ERRORS, Id, LongText, Text
from parley.limits import CLIENT_KEY_CHARS
from parley.rooms.actions import do_change_instruction, do_post_entry, do_share_entry
from parley.rooms.models import Entry, InstructionChange
from parley.rooms.policy import Instruction
from parley.rooms.queries import access_entry, access_room, timeline
from parley.rooms.serialize import ENTRY_RELATED, entry_payload

router = Router(tags=["rooms"])


class SourceOut(Schema):
    entry: int
    room: str
    author: str | None
    shared_by: str | None


class DocumentOut(Schema):
    id: int
    name: str
    size: int
    sha256: str
    content_type: str
    provenance: str


class EntryOut(Schema):
    id: int
    room: int
    kind: str
    author: str | None
    author_id: int | None
    author_role: str | None
    body: str
    created_at: str
    privileged: bool
    instruction: str | None
    source: SourceOut | None
    client_key: str | None
    audit_salt: str
    document: DocumentOut | None = None


class EntryIn(Schema):
    body: LongText
    acknowledge_not_confidential: bool = False
    client_key: Text = Field("", max_length=CLIENT_KEY_CHARS)
    instruction: Instruction | None = None


class InstructionIn(Schema):
    instruction: Instruction


class ShareIn(Schema):
    target_room: Id


class InstructionChangeOut(Schema):
    instruction: str
    changed_by: str
    changed_at: str


def _fresh(entry: Entry) -> dict[str, Any]:
    return entry_payload(Entry.objects.select_related(*ENTRY_RELATED).get(pk=entry.pk))


@router.get("/{case_id}/rooms/{room_id}/entries", response={200: list[EntryOut], **ERRORS})
def list_entries(
    request: HttpRequest, case_id: int, room_id: int, after: int = 0, limit: int = 50
) -> list[dict[str, Any]]:
    """Entries with id greater than `after`, oldest first. Resume from your last id."""
    _, _, room = access_room(the_user(request), case_id, room_id)
    return [entry_payload(e) for e in timeline(room, after_id=after, limit=limit)]


@router.post("/{case_id}/rooms/{room_id}/entries", response={201: EntryOut, **ERRORS})
def post_entry(
    request: HttpRequest, case_id: int, room_id: int, payload: EntryIn
) -> Status[dict[str, Any]]:
    entry = do_post_entry(
        acting_user=the_user(request),
        case_id=case_id,
        room_id=room_id,
        body=payload.body,
        acknowledge_not_confidential=payload.acknowledge_not_confidential,
        client_key=payload.client_key,
        instruction=payload.instruction,
    )
    return Status(201, _fresh(entry))


@router.get("/{case_id}/entries/{entry_id}", response={200: EntryOut, **ERRORS})
def get_entry(request: HttpRequest, case_id: int, entry_id: int) -> dict[str, Any]:
    _, _, entry = access_entry(the_user(request), case_id, entry_id)
    return entry_payload(entry)


@router.get(
    "/{case_id}/entries/{entry_id}/instruction-history",
    response={200: list[InstructionChangeOut], **ERRORS},
)
def instruction_history(request: HttpRequest, case_id: int, entry_id: int) -> list[dict[str, Any]]:
    _, _, entry = access_entry(the_user(request), case_id, entry_id)
    return [
        {
            "instruction": c.instruction,
            "changed_by": c.changed_by.display_name,
            "changed_at": c.changed_at.isoformat(),
        }
        for c in InstructionChange.objects.filter(entry=entry).select_related("changed_by")
    ]


@router.post("/{case_id}/entries/{entry_id}/instruction", response={200: EntryOut, **ERRORS})
def change_instruction(
    request: HttpRequest, case_id: int, entry_id: int, payload: InstructionIn
) -> dict[str, Any]:
    entry = do_change_instruction(
        acting_user=the_user(request),
        case_id=case_id,
        entry_id=entry_id,
        instruction=payload.instruction,
    )
    return _fresh(entry)


@router.post("/{case_id}/entries/{entry_id}/share", response={201: EntryOut, **ERRORS})
def share(
    request: HttpRequest, case_id: int, entry_id: int, payload: ShareIn
) -> Status[dict[str, Any]]:
    copy = do_share_entry(
        acting_user=the_user(request),
        case_id=case_id,
        entry_id=entry_id,
        target_room_id=payload.target_room,
    )
    return Status(201, _fresh(copy))
