"""Read markers: how far each person has read each room, so unread counts survive a reload
and show on the dashboard. A marker is a person's own reading position, not an act in the
mediation, so it is not in the case's audit chain."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from parley.notifications.models import ReadMarker
from parley.rooms.models import Entry


def mark_read(participant_id: int, room_id: int, entry_id: int) -> None:
    """Precondition: the caller checked that the participant may read the room. Markers only
    move forward (an older page fetching late never makes read entries unread again)."""
    if entry_id <= 0:
        return
    updated = ReadMarker.objects.filter(
        participant_id=participant_id, room_id=room_id, last_entry_id__lt=entry_id
    ).update(last_entry_id=entry_id)
    if not updated:
        ReadMarker.objects.get_or_create(
            participant_id=participant_id, room_id=room_id, defaults={"last_entry_id": entry_id}
        )


def unread_counts(participant_ids: Iterable[int], room_ids: Iterable[int]) -> dict[int, int]:
    """Entries others wrote after each room's marker, for rooms the caller found the person may
    read. One query, whatever the number of rooms; `participant_ids` holds one participant per
    case (a person's participations), so each room matches at most one marker."""
    people = list(participant_ids)
    rooms = list(room_ids)
    if not people or not rooms:
        return {}
    marker = ReadMarker.objects.filter(
        room_id=OuterRef("room_id"), participant_id__in=people
    ).values("last_entry_id")[:1]
    rows = (
        Entry.objects.filter(room_id__in=rooms)
        .exclude(author_id__in=people)
        .annotate(seen=Coalesce(Subquery(marker), Value(0)))
        .filter(id__gt=F("seen"))
        .values("room_id")
        .annotate(n=Count("id"))
        .values_list("room_id", "n")
    )
    return dict(rows)
