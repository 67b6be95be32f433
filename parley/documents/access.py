"""Reading a document goes through its entry's visibility (R3.5): no other way in."""

from __future__ import annotations

from parley.accounts.models import User
from parley.cases.access import CaseContext
from parley.cases.models import Participant
from parley.documents.models import Document
from parley.errors import NotFound
from parley.rooms.queries import access_entry


def access_document(
    user: User, case_id: int, document_id: int
) -> tuple[CaseContext, Participant, Document]:
    """The document if `user` may see its entry. Missing and forbidden both raise NotFound."""
    entry_id = (
        Document.objects.filter(pk=document_id, entry__case_id=case_id)
        .values_list("entry_id", flat=True)
        .first()
    )
    if entry_id is None:
        raise NotFound()
    ctx, me, entry = access_entry(user, case_id, entry_id)
    return ctx, me, entry.document
