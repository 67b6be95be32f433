"""The Sessions tab (R10): the schedule in the reader's time zone, and the mediator's forms to
schedule, move, cancel and confirm attendance. Views parse, access, act, respond."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from parley.accounts.auth import request_user as signed_in
from parley.cases.access import CaseContext, access_case, load_context
from parley.cases.models import Participant
from parley.cases.policy import CaseStatus, Role
from parley.errors import BadInput, DomainError
from parley.meetings.access import access_session, session_invitees, sessions_for
from parley.meetings.actions import (
    do_cancel_session,
    do_confirm_roster,
    do_move_session,
    do_schedule_session,
    do_set_schedule,
)
from parley.meetings.models import Session
from parley.meetings.policy import MAX_SLOTS, Answer, SessionKind, zone_names
from parley.meetings.polls import do_answer_poll, do_create_poll, do_pick_slot, polls_for
from parley.meetings.presence import present_during
from parley.meetings.queries import schedule_of
from parley.meetings.serialize import session_payload
from parley.meetings.times import local, parse_local, reader_zone
from parley.web.pages import member_page, refusal

ZONES = sorted(zone_names())


def _ids(values: list[str]) -> list[int]:
    try:
        return [int(v) for v in values]
    except ValueError:
        raise BadInput("bad_attendee", gettext("Pick people from the list.")) from None


def _times(request: HttpRequest) -> tuple[datetime, datetime, str]:
    """The form's date, start and end (wall-clock in the chosen zone) as aware datetimes."""
    zone_name = request.POST.get("time_zone", "")
    day = request.POST.get("date", "")
    start = parse_local(f"{day}T{request.POST.get('start', '')}", zone_name)
    end = parse_local(f"{day}T{request.POST.get('end', '')}", zone_name)
    return start, past_midnight(start, end), zone_name


def past_midnight(start: datetime, end: datetime) -> datetime:
    """An end time earlier than the start, on a form with one date, is on the next day."""
    if end <= start:
        return (end.replace(tzinfo=None) + timedelta(days=1)).replace(tzinfo=end.tzinfo)
    return end


def upcoming_for(ctx: CaseContext, me: Participant, zone_name: str) -> dict[str, Any] | None:
    """The session running now, else the next one: what the workspace and dashboard show."""
    now = timezone.now()
    for s in sessions_for(ctx, me):
        row = session_payload(s, me, zone_name, now)
        if row["running"] or row["upcoming"]:
            return row
    return None


@member_page
def sessions(request: HttpRequest, case_id: int) -> HttpResponse:
    case, me = access_case(signed_in(request), case_id)
    ctx = load_context(case)
    zone_name = reader_zone(request)
    now = timezone.now()
    rows = []
    is_mediator = me.role == Role.MEDIATOR
    for s in sessions_for(ctx, me):
        row = session_payload(s, me, zone_name, now)
        at = local(s.starts_at, s.time_zone)
        row["form"] = {
            "date": at.date().isoformat(),
            "start": f"{at:%H:%M}",
            "end": f"{local(s.ends_at, s.time_zone):%H:%M}",
        }
        if is_mediator and s.starts_at <= now and s.status == "scheduled":
            row["roster"] = _roster(ctx, s)
        rows.append(row)
    return render(
        request,
        "web/sessions.html",
        {
            "case": case,
            "me": me,
            "rows": rows,
            "zone": zone_name,
            "zones": ZONES,
            "sides": list(case.sides.all()),
            "is_mediator": is_mediator,
            "open": case.status != CaseStatus.TERMINATED,
            "schedule": schedule_of(case.pk),
            "polls": polls_for(signed_in(request), case_id, zone_name),
            "answers": Answer.choices,
            "slot_rows": range(MAX_SLOTS),
        },
    )


def _roster(ctx: CaseContext, session: Session) -> list[dict[str, Any]]:
    """Each invitee, ticked if the confirmed roster has them, else if Parley saw them."""
    invited = session_invitees(ctx, session)
    confirmed: dict[int, str] | None = None
    if session.roster_confirmed_at is not None:
        confirmed = dict(session.attendees.values_list("participant_id", "source"))
    seen = present_during(session)
    return [
        {
            "participant": ctx.participants[pid],
            "seen": pid in seen,
            "checked": (pid in confirmed) if confirmed is not None else pid in seen,
            "phone": confirmed is not None and confirmed.get(pid) == "phone",
        }
        for pid in sorted(invited)
    ]


def _back(case_id: int) -> HttpResponse:
    return redirect("sessions", case_id=case_id)


@require_POST
@member_page
def schedule(request: HttpRequest, case_id: int) -> HttpResponse:
    try:
        start, end, zone_name = _times(request)
        kind, _, side = request.POST.get("kind", "joint").partition(":")
        do_schedule_session(
            acting_user=signed_in(request),
            case_id=case_id,
            kind=SessionKind(kind) if kind in SessionKind.values else SessionKind.JOINT,
            side_id=int(side) if side.isdigit() else None,
            starts_at=start,
            ends_at=end,
            time_zone=zone_name,
            video_link=request.POST.get("video_link", ""),
        )
        messages.success(
            request, gettext("Session scheduled. Everyone invited to it gets an e-mail.")
        )
    except DomainError as exc:
        refusal(request, exc)
    return _back(case_id)


@require_POST
@member_page
def move(request: HttpRequest, case_id: int, session_id: int) -> HttpResponse:
    user = signed_in(request)
    access_session(user, case_id, session_id)
    try:
        start, end, zone_name = _times(request)
        do_move_session(
            acting_user=user,
            case_id=case_id,
            session_id=session_id,
            starts_at=start,
            ends_at=end,
            time_zone=zone_name,
            video_link=request.POST.get("video_link", ""),
        )
        messages.success(request, gettext("Session moved. Everyone invited to it gets an e-mail."))
    except DomainError as exc:
        refusal(request, exc)
    return _back(case_id)


@require_POST
@member_page
def cancel(request: HttpRequest, case_id: int, session_id: int) -> HttpResponse:
    user = signed_in(request)
    access_session(user, case_id, session_id)
    try:
        do_cancel_session(acting_user=user, case_id=case_id, session_id=session_id)
        messages.success(
            request, gettext("Session cancelled. Everyone invited to it gets an e-mail.")
        )
    except DomainError as exc:
        refusal(request, exc)
    return _back(case_id)


@require_POST
@member_page
def attendance(request: HttpRequest, case_id: int, session_id: int) -> HttpResponse:
    user = signed_in(request)
    access_session(user, case_id, session_id)
    try:
        do_confirm_roster(
            acting_user=user,
            case_id=case_id,
            session_id=session_id,
            present_ids=_ids(request.POST.getlist("present")),
            by_phone_ids=_ids(request.POST.getlist("phone")),
        )
        messages.success(
            request, gettext("Attendance confirmed. The report to the court lists it.")
        )
    except DomainError as exc:
        refusal(request, exc)
    return _back(case_id)


@require_POST
@member_page
def settings(request: HttpRequest, case_id: int) -> HttpResponse:
    try:
        hours = [int(h) for h in request.POST.getlist("reminder_hours") if h.strip()]
    except ValueError:
        hours = []
    try:
        do_set_schedule(
            acting_user=signed_in(request),
            case_id=case_id,
            title_in_calendar=request.POST.get("title_in_calendar") == "on",
            reminder_hours=hours,
        )
        messages.success(request, gettext("Calendar settings saved."))
    except DomainError as exc:
        refusal(request, exc)
    return _back(case_id)


@require_POST
@member_page
def poll_create(request: HttpRequest, case_id: int) -> HttpResponse:
    """Up to ten rows of date, start and end; empty rows are left out."""
    try:
        zone_name = request.POST.get("time_zone", "")
        slots = []
        for i in range(MAX_SLOTS):
            day = request.POST.get(f"date_{i}", "").strip()
            if not day:
                continue
            start = parse_local(f"{day}T{request.POST.get(f'start_{i}', '')}", zone_name)
            end = parse_local(f"{day}T{request.POST.get(f'end_{i}', '')}", zone_name)
            slots.append((start, past_midnight(start, end)))
        kind, _, side = request.POST.get("kind", "joint").partition(":")
        do_create_poll(
            acting_user=signed_in(request),
            case_id=case_id,
            kind=SessionKind(kind) if kind in SessionKind.values else SessionKind.JOINT,
            side_id=int(side) if side.isdigit() else None,
            time_zone=zone_name,
            slots=slots,
        )
        messages.success(request, gettext("Poll sent. Everyone it asks gets an e-mail."))
    except DomainError as exc:
        refusal(request, exc)
    return _back(case_id)


@require_POST
@member_page
def poll_answer(request: HttpRequest, case_id: int, poll_id: int) -> HttpResponse:
    answers: dict[int, Answer] = {}
    for key, value in request.POST.items():
        if key.startswith("slot_") and key[5:].isdigit() and value in Answer.values:
            answers[int(key[5:])] = Answer(value)
    try:
        do_answer_poll(
            acting_user=signed_in(request), case_id=case_id, poll_id=poll_id, answers=answers
        )
        messages.success(
            request, gettext("Thank you: your answers are saved. Only the mediator sees them.")
        )
    except DomainError as exc:
        refusal(request, exc)
    return _back(case_id)


@require_POST
@member_page
def poll_pick(request: HttpRequest, case_id: int, poll_id: int) -> HttpResponse:
    slot = request.POST.get("slot", "")
    try:
        do_pick_slot(
            acting_user=signed_in(request),
            case_id=case_id,
            poll_id=poll_id,
            slot_id=int(slot) if slot.isdigit() else 0,
            video_link=request.POST.get("video_link", ""),
        )
        messages.success(
            request, gettext("Session scheduled from the poll. Everyone invited gets an e-mail.")
        )
    except DomainError as exc:
        refusal(request, exc)
    return _back(case_id)
