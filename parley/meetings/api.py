"""Sessions over the API (R10): list, schedule, move, cancel, confirm attendance, settings."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from parley.accounts.auth import request_user as the_user
from parley.apischema import ERRORS, Id, ShortText
from parley.cases.access import access_case, check_mediator, load_context
from parley.meetings.access import access_session, session_invitees, sessions_for
from parley.meetings.actions import (
    do_cancel_session,
    do_confirm_roster,
    do_move_session,
    do_schedule_session,
    do_set_schedule,
)
from parley.meetings.policy import Answer, SessionKind
from parley.meetings.polls import do_answer_poll, do_create_poll, do_pick_slot, polls_for
from parley.meetings.presence import present_during
from parley.meetings.queries import schedule_of
from parley.meetings.serialize import session_payload
from parley.meetings.times import parse_local, zone_of_user

router = Router(tags=["sessions"])


class SessionIn(Schema):
    kind: SessionKind = SessionKind.JOINT
    side: Id | None = None
    start: ShortText = Field(description="Wall-clock time in time_zone, e.g. 2026-12-03T14:00")
    end: ShortText
    time_zone: ShortText = Field(description="IANA zone, e.g. Europe/Berlin")
    video_link: ShortText = ""


class MoveIn(Schema):
    start: ShortText
    end: ShortText
    time_zone: ShortText
    video_link: ShortText | None = None


class SessionOut(Schema):
    id: int
    number: int
    kind: str
    side: int | None
    label: str
    starts_at: str
    ends_at: str
    time_zone: str
    local: str
    reader_zone: str
    video_link: str | None
    status: str
    sequence: int
    running: bool
    upcoming: bool
    roster_confirmed: bool
    can_manage: bool


class RosterIn(Schema):
    present: list[Id] = Field(default_factory=list, max_length=500)
    by_phone: list[Id] = Field(default_factory=list, max_length=500)


class RosterOut(Schema):
    invited: list[int]
    seen_in_parley: list[int]
    confirmed: list[int] | None


class ScheduleIn(Schema):
    title_in_calendar: bool = False
    reminder_hours: list[int] = Field(default_factory=lambda: [24, 1], max_length=4)


class ScheduleOut(Schema):
    title_in_calendar: bool
    reminder_hours: list[int]


def _zone(request: HttpRequest, fallback: str = "UTC") -> str:
    return zone_of_user(request.user) or fallback


@router.get("/{case_id}/sessions", response={200: list[SessionOut], **ERRORS})
def list_sessions(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    case, me = access_case(the_user(request), case_id)
    ctx = load_context(case)
    return [session_payload(s, me, _zone(request, s.time_zone)) for s in sessions_for(ctx, me)]


@router.post("/{case_id}/sessions", response={201: SessionOut, **ERRORS})
def schedule(request: HttpRequest, case_id: int, payload: SessionIn) -> Status[dict[str, Any]]:
    user = the_user(request)
    session = do_schedule_session(
        acting_user=user,
        case_id=case_id,
        kind=payload.kind,
        side_id=payload.side,
        starts_at=parse_local(payload.start, payload.time_zone),
        ends_at=parse_local(payload.end, payload.time_zone),
        time_zone=payload.time_zone,
        video_link=payload.video_link,
    )
    found = access_session(user, case_id, session.pk)
    return Status(201, session_payload(found.session, found.me, _zone(request, session.time_zone)))


@router.post("/{case_id}/sessions/{session_id}/move", response={200: SessionOut, **ERRORS})
def move(request: HttpRequest, case_id: int, session_id: int, payload: MoveIn) -> dict[str, Any]:
    user = the_user(request)
    access_session(user, case_id, session_id)
    do_move_session(
        acting_user=user,
        case_id=case_id,
        session_id=session_id,
        starts_at=parse_local(payload.start, payload.time_zone),
        ends_at=parse_local(payload.end, payload.time_zone),
        time_zone=payload.time_zone,
        video_link=payload.video_link,
    )
    found = access_session(user, case_id, session_id)
    return session_payload(found.session, found.me, _zone(request, found.session.time_zone))


@router.post("/{case_id}/sessions/{session_id}/cancel", response={200: SessionOut, **ERRORS})
def cancel(request: HttpRequest, case_id: int, session_id: int) -> dict[str, Any]:
    user = the_user(request)
    access_session(user, case_id, session_id)
    do_cancel_session(acting_user=user, case_id=case_id, session_id=session_id)
    found = access_session(user, case_id, session_id)
    return session_payload(found.session, found.me, _zone(request, found.session.time_zone))


@router.get("/{case_id}/sessions/{session_id}/attendance", response={200: RosterOut, **ERRORS})
def attendance(request: HttpRequest, case_id: int, session_id: int) -> dict[str, Any]:
    """The mediator's view: who was invited, who was seen in Parley during the session's
    window, and the confirmed roster (None until confirmed)."""
    found = access_session(the_user(request), case_id, session_id)
    check_mediator(found.me)
    invited = session_invitees(found.ctx, found.session)
    confirmed = None
    if found.session.roster_confirmed_at is not None:
        confirmed = sorted(a.participant_id for a in found.session.attendees.all())
    return {
        "invited": sorted(invited),
        "seen_in_parley": sorted(present_during(found.session) & invited),
        "confirmed": confirmed,
    }


@router.post("/{case_id}/sessions/{session_id}/attendance", response={200: RosterOut, **ERRORS})
def confirm_attendance(
    request: HttpRequest, case_id: int, session_id: int, payload: RosterIn
) -> dict[str, Any]:
    user = the_user(request)
    access_session(user, case_id, session_id)
    do_confirm_roster(
        acting_user=user,
        case_id=case_id,
        session_id=session_id,
        present_ids=payload.present,
        by_phone_ids=payload.by_phone,
    )
    return attendance(request, case_id, session_id)


@router.get("/{case_id}/schedule", response={200: ScheduleOut, **ERRORS})
def get_schedule(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case, _ = access_case(the_user(request), case_id)
    s = schedule_of(case.pk)
    return {"title_in_calendar": s.title_in_calendar, "reminder_hours": s.reminder_hours}


@router.put("/{case_id}/schedule", response={200: ScheduleOut, **ERRORS})
def put_schedule(request: HttpRequest, case_id: int, payload: ScheduleIn) -> dict[str, Any]:
    s = do_set_schedule(
        acting_user=the_user(request),
        case_id=case_id,
        title_in_calendar=payload.title_in_calendar,
        reminder_hours=payload.reminder_hours,
    )
    return {"title_in_calendar": s.title_in_calendar, "reminder_hours": s.reminder_hours}


class SlotIn(Schema):
    start: ShortText
    end: ShortText


class PollIn(Schema):
    kind: SessionKind = SessionKind.JOINT
    side: int | None = None
    time_zone: ShortText
    slots: list[SlotIn] = Field(max_length=10)


class AnswersIn(Schema):
    answers: dict[int, Answer] = Field(max_length=10)


class PickIn(Schema):
    slot: Id
    video_link: ShortText = ""


@router.get("/{case_id}/polls", response={200: list[dict[str, Any]], **ERRORS})
def list_polls(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    return polls_for(the_user(request), case_id, _zone(request))


@router.post("/{case_id}/polls", response={201: dict[str, Any], **ERRORS})
def create_poll(request: HttpRequest, case_id: int, payload: PollIn) -> Status[dict[str, Any]]:
    user = the_user(request)
    poll = do_create_poll(
        acting_user=user,
        case_id=case_id,
        kind=payload.kind,
        side_id=payload.side,
        time_zone=payload.time_zone,
        slots=[
            (parse_local(s.start, payload.time_zone), parse_local(s.end, payload.time_zone))
            for s in payload.slots
        ],
    )
    [row] = [p for p in polls_for(user, case_id, _zone(request)) if p["id"] == poll.pk]
    return Status(201, row)


@router.post("/{case_id}/polls/{poll_id}/answers", response={200: dict[str, Any], **ERRORS})
def answer_poll(
    request: HttpRequest, case_id: int, poll_id: int, payload: AnswersIn
) -> dict[str, Any]:
    user = the_user(request)
    do_answer_poll(acting_user=user, case_id=case_id, poll_id=poll_id, answers=payload.answers)
    [row] = [p for p in polls_for(user, case_id, _zone(request)) if p["id"] == poll_id]
    return row


@router.post("/{case_id}/polls/{poll_id}/pick", response={201: SessionOut, **ERRORS})
def pick(
    request: HttpRequest, case_id: int, poll_id: int, payload: PickIn
) -> Status[dict[str, Any]]:
    user = the_user(request)
    session = do_pick_slot(
        acting_user=user,
        case_id=case_id,
        poll_id=poll_id,
        slot_id=payload.slot,
        video_link=payload.video_link,
    )
    found = access_session(user, case_id, session.pk)
    return Status(201, session_payload(found.session, found.me, _zone(request, session.time_zone)))
