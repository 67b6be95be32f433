"""Real-time events about entries: full payload, to exactly the members of the entry's room."""

from __future__ import annotations

from parley.cases.access import CaseContext
from parley.notifications.hooks import notify_activity_on_commit
from parley.realtime.publish import publish_on_commit
from parley.rooms.models import Entry
from parley.rooms.serialize import ENTRY_RELATED, entry_payload


def publish_entry(ctx: CaseContext, entry: Entry) -> None:
    """Precondition: inside the transaction that stored `entry`; sent only after commit."""
    fresh = Entry.objects.select_related(*ENTRY_RELATED).get(pk=entry.pk)
    publish_on_commit(
        ctx.recipients(entry.room_id),
        {"type": "entry", "case": ctx.case.pk, "entry": entry_payload(fresh)},
    )
    notify_activity_on_commit(ctx.case.pk, entry.room_id, entry.author_id)
