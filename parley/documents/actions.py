"""Writes about documents: upload one into a room, as an entry of that room (R3.5).

A document is an entry of kind `document` with a file attached, so the rooms policy decides
who may post it and who sees it, and a share copies it like any caucus entry (R4.3).
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from parley.accounts.models import User
from parley.audit.actions import record_event
from parley.audit.chain import salted_hash
from parley.audit.policy import room_readers
from parley.cases.access import enter_case
from parley.documents.models import Document, Provenance
from parley.documents.policy import HEAD_BYTES, check_upload, clean_name
from parley.errors import BadInput
from parley.limits import clean_text
from parley.rooms.entries import new_entry
from parley.rooms.models import Entry, EntryKind
from parley.rooms.policy import Instruction
from parley.vault.keys import seal_bytes


def file_identity(stored_name: str) -> str:
    return f"document-file:{stored_name}"


def check_pdf(upload: File) -> None:  # type: ignore[type-arg]
    """A file that only starts like a PDF is not one: pypdf must find its structure and pages.
    (Readers open what we store; a truncated or forged file is refused here, not there.)"""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        if not reader.is_encrypted and len(reader.pages) == 0:
            raise PyPdfError("no pages")
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError):
        raise BadInput(
            "file_type_mismatch", _("The file is named .pdf but it is not a readable PDF.")
        ) from None
    finally:
        upload.seek(0)


def sha256_of(upload: File) -> str:  # type: ignore[type-arg]
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def do_upload_document(
    *,
    acting_user: User,
    case_id: int,
    room_id: int,
    upload: File,  # type: ignore[type-arg]
    provenance: str,
    description: str = "",
    acknowledge_not_confidential: bool = False,
    instruction: Instruction | None = None,
) -> Entry:
    """Check the file, then store it under MEDIA_ROOT (never served directly) with a random
    name, and its entry, in one transaction. A refused upload leaves no file behind."""
    if provenance not in Provenance.values:
        raise BadInput(
            "provenance_required",
            _("Say whether the document existed before the mediation or was prepared for it."),
        )
    name = clean_name(upload.name or "")
    size = int(upload.size or 0)
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    kind = check_upload(name, size, head, max_bytes=settings.PARLEY_MAX_UPLOAD_BYTES)
    if kind.content_type == "application/pdf":
        check_pdf(upload)
    body = clean_text(description) if description.strip() else name
    sha256 = sha256_of(upload)
    stored_name = ""
    try:
        with transaction.atomic():
            ctx, me = enter_case(acting_user, case_id)
            case = ctx.case
            # The file is stored encrypted under the case key (R11.3), named by its stored
            # name (shared copies point at the same file).
            name_in_store = f"cases/{case.pk}/{uuid.uuid4().hex}"
            upload.seek(0)
            sealed = seal_bytes(case.pk, file_identity(name_in_store), upload.read())
            stored_name = default_storage.save(name_in_store, ContentFile(sealed))
            entry = new_entry(
                ctx,
                me,
                room_id,
                body=body,
                kind=EntryKind.DOCUMENT,
                acknowledge_not_confidential=acknowledge_not_confidential,
                instruction=instruction,
                document=Document(
                    name=name,
                    size=size,
                    sha256=sha256,
                    content_type=kind.content_type,
                    provenance=provenance,
                    file=stored_name,
                ),
            )
            record_event(
                case,
                "document_uploaded",
                actor_id=me.pk,
                subject_id=entry.pk,
                # Keyed like every entry's hashes: a bare file hash would let the other side
                # confirm a guess of which well-known document a caucus holds.
                content_hashes={
                    "file": salted_hash(entry.salt, sha256),
                    "body": salted_hash(entry.salt, body),
                    "room": entry.room_id,
                },
                salted={"provenance": provenance},
                audience=room_readers([entry.room_id]),
            )
    except BaseException:
        if stored_name:
            default_storage.delete(stored_name)
        raise
    return entry
