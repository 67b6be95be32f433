"""A document as a streamed download, after the access check: one response for the pages and
the API alike."""

from __future__ import annotations

import io

from django.core.files.storage import default_storage
from django.http import FileResponse

from parley.accounts.models import User
from parley.documents.access import access_document
from parley.documents.actions import file_identity
from parley.errors import NotFound
from parley.vault.keys import open_bytes


def document_response(
    user: User, case_id: int, document_id: int, *, inline: bool = False
) -> FileResponse:
    """An attachment, or with `inline` shown in the browser (the room's preview of a PDF or
    an image), always with the type Parley checked at upload (never the browser's guess)."""
    _, _, document = access_document(user, case_id, document_id)
    stored_name = document.file.name or ""
    try:
        with default_storage.open(stored_name, "rb") as handle:
            sealed = handle.read()
    except FileNotFoundError:
        raise NotFound() from None
    content = open_bytes(case_id, file_identity(stored_name), sealed)
    response = FileResponse(
        io.BytesIO(content),
        as_attachment=not inline,
        filename=document.name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-SHA256"] = document.sha256
    return response
