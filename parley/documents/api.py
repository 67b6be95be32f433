"""Documents in the JSON API: upload into a room, read metadata, download (streamed)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from parley.accounts.auth import request_user as the_user
from parley.apischema import ERRORS, Id, ShortText
from parley.documents.access import access_document
from parley.documents.actions import do_upload_document
from parley.documents.download import document_response
from parley.rooms.models import Entry
from parley.rooms.policy import Instruction
from parley.rooms.serialize import ENTRY_RELATED, entry_payload

router = Router(tags=["documents"])


class DocumentMeta(Schema):
    id: int
    entry: int
    room: int
    name: str
    size: int
    sha256: str
    content_type: str
    provenance: str


class UploadIn(Schema):
    room: Id
    provenance: ShortText
    description: ShortText = ""
    acknowledge_not_confidential: bool = False
    instruction: Instruction | None = None


@router.post("/{case_id}/documents", response={201: dict[str, Any], **ERRORS})
def upload(
    request: HttpRequest,
    case_id: int,
    payload: Form[UploadIn],
    file: File[UploadedFile],
) -> Status[dict[str, Any]]:
    """Multipart upload. `provenance`: `pre_existing` (existed before the mediation) or
    `prepared` (prepared for it). Answers with the new entry, its `document` included."""
    entry = do_upload_document(
        acting_user=the_user(request),
        case_id=case_id,
        room_id=payload.room,
        upload=file,
        provenance=payload.provenance,
        description=payload.description,
        acknowledge_not_confidential=payload.acknowledge_not_confidential,
        instruction=payload.instruction,
    )
    return Status(201, entry_payload(Entry.objects.select_related(*ENTRY_RELATED).get(pk=entry.pk)))


@router.get("/{case_id}/documents/{document_id}", response={200: DocumentMeta, **ERRORS})
def metadata(request: HttpRequest, case_id: int, document_id: int) -> dict[str, Any]:
    _, _, doc = access_document(the_user(request), case_id, document_id)
    return {
        "id": doc.pk,
        "entry": doc.entry_id,
        "room": doc.entry.room_id,
        "name": doc.name,
        "size": doc.size,
        "sha256": doc.sha256,
        "content_type": doc.content_type,
        "provenance": doc.provenance,
    }


@router.get("/{case_id}/documents/{document_id}/content", response={200: None, **ERRORS})
def content(request: HttpRequest, case_id: int, document_id: int) -> HttpResponseBase:
    """The file itself, streamed, as an attachment."""
    return document_response(the_user(request), case_id, document_id)
