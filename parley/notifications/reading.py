"""Read markers: how far each person has read each room, so unread counts survive a reload
and show on the dashboard. A marker is a person's own reading position, not an act in the
mediation, so it is not in the case's audit chain."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, F, Max, OuterRef, Subquery, Value
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


def read_position(participant_id: int, room_id: int) -> int:
    """The last entry id the person had read in the room (0: none yet)."""
    found = (
        ReadMarker.objects.filter(participant_id=participant_id, room_id=room_id)
        .values_list("last_entry_id", flat=True)
        .first()
    )
    return found or 0


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


def unread_by(room_id: int, participant_ids: Iterable[int]) -> list[int]:
    """Those of `participant_ids` for whom the room holds an entry someone else wrote after
    their marker. Two queries, whatever the number of people or entries."""
    people = list(participant_ids)
    if not people:
        return []
    read = dict(
        ReadMarker.objects.filter(room_id=room_id, participant_id__in=people).values_list(
            "participant_id", "last_entry_id"
        )
    )
    latest = dict(
        Entry.objects.filter(room_id=room_id)
        .values("author_id")
        .annotate(last=Max("id"))
        .values_list("author_id", "last")
    )
    return [
        pid
        for pid in people
        if max((last for author, last in latest.items() if author != pid), default=0)
        > read.get(pid, 0)
    ]
