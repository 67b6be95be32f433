"""Joins and leaves, recorded when a person's first page of a case connects and their last
one closes (R10.5). Only times: presence is not content."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from parley.meetings.models import PresenceSpan, Session


def record_join(case_id: int, participant_id: int) -> None:
    PresenceSpan.objects.create(case_id=case_id, participant_id=participant_id)


def record_leave(case_id: int, participant_id: int) -> None:
    PresenceSpan.objects.filter(
        case_id=case_id, participant_id=participant_id, left_at__isnull=True
    ).update(left_at=timezone.now())


def present_during(session: Session) -> set[int]:
    """Participants who had the case open at some moment of the session's window."""
    return set(
        PresenceSpan.objects.filter(case_id=session.case_id, joined_at__lt=session.ends_at)
        .filter(Q(left_at__isnull=True) | Q(left_at__gt=session.starts_at))
        .values_list("participant_id", flat=True)
    )
