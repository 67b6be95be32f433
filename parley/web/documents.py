"""The page's download link (the API's is in api.py; both answer with download.py)."""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from parley.accounts.models import User
from parley.documents.download import document_response
from parley.errors import NotFound


def download(request: HttpRequest, case_id: int, document_id: int) -> HttpResponseBase:
    """Web download (`?view=1`: shown in the browser, for the room's preview). Signed-out
    visitors and people who may not see it get the same 404."""
    user = request.user
    if not isinstance(user, User):
        raise NotFound()
    return document_response(user, case_id, document_id, inline=request.GET.get("view") == "1")
