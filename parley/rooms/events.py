"""Real-time events about entries: full payload, to exactly the members of the entry's room."""

from __future__ import annotations

from parley.cases.access import CaseContext
from parley.notifications.hooks import notify_activity_on_commit
from parley.realtime.publish import publish_on_commit
from parley.rooms.models import Entry, EntryKind
from parley.rooms.serialize import ENTRY_RELATED, entry_payload


def publish_entry(ctx: CaseContext, entry: Entry) -> None:
    """Precondition: inside the transaction that stored `entry`; sent only after commit."""
    if entry.source_id is None and entry.kind != EntryKind.DOCUMENT:
        # Everything the payload shows is on the row just written and its author (loaded with
        # the writer in this transaction): no read-back.
        fresh = entry
    else:
        fresh = Entry.objects.select_related(*ENTRY_RELATED).get(pk=entry.pk)
    publish_on_commit(
        ctx.recipients(entry.room_id),
        {"type": "entry", "case": ctx.case.pk, "entry": entry_payload(fresh)},
    )
    notify_activity_on_commit(ctx.case.pk, entry.room_id)
