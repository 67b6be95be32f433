"""Reads of the attendance record for the §7 report and the court order's count (R5.4, R10.5).
They hold no content: which session, when, and who attended."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from parley.cases.models import Case, Participant
from parley.cases.policy import Role
from parley.meetings.models import Attendee, CaseSchedule, Session
from parley.meetings.policy import SessionStatus, held_with_every_party


@dataclass(frozen=True)
class Held:
    session: Session
    attendees: list[Participant]
    every_party: bool


def held_sessions(case: Case) -> list[Held]:
    """Sessions whose roster the mediator confirmed, in time order, each with its attendees:
    from this record alone (R10.5). Three queries whatever the number of sessions."""
    sessions = list(
        Session.objects.filter(case=case, roster_confirmed_at__isnull=False)
        .exclude(status=SessionStatus.CANCELLED)
        .order_by("starts_at", "pk")
    )
    lines: dict[int, list[Participant]] = defaultdict(list)
    for a in (
        Attendee.objects.filter(session__in=sessions)
        .select_related("participant")
        .order_by("participant_id")
    ):
        lines[a.session_id].append(a.participant)
    parties = list(
        Participant.objects.filter(case=case, role=Role.PARTY).values_list("pk", flat=True)
    )
    return [
        Held(s, lines[s.pk], held_with_every_party((p.pk for p in lines[s.pk]), parties))
        for s in sessions
    ]


def count_held_with_every_party(case: Case) -> int:
    """What a court order's minimum sessions counts (R2.4, R7.4, R10.5)."""
    return sum(1 for h in held_sessions(case) if h.every_party)


def schedule_of(case_id: int) -> CaseSchedule:
    found = CaseSchedule.objects.filter(case_id=case_id).first()
    return found or CaseSchedule(case_id=case_id)
