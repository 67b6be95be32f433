"""Streamed downloads, for the pages and the API alike, after the access check."""

from __future__ import annotations

import io

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase

from parley.accounts.models import User
from parley.documents.access import access_document
from parley.documents.actions import file_identity
from parley.errors import NotFound
from parley.vault.keys import open_bytes


def document_response(user: User, case_id: int, document_id: int) -> FileResponse:
    """Always an attachment, with the type Parley checked at upload (never the browser's)."""
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
        as_attachment=True,
        filename=document.name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-SHA256"] = document.sha256
    return response


def download(request: HttpRequest, case_id: int, document_id: int) -> HttpResponseBase:
    """Web download. Signed-out visitors and people who may not see it get the same 404."""
    user = request.user
    if not isinstance(user, User):
        raise NotFound()
    return document_response(user, case_id, document_id)
