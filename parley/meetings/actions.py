"""Writes about sessions (R10): schedule, move, cancel, confirm the roster, calendar settings.

Each do_* runs in one transaction under the case lock, writes its audit event there, and
tells the invitees on commit (a real-time event, and mail through the job queue)."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parley.accounts.models import User
from parley.audit.actions import record_event
from parley.audit.policy import Audience, room_readers
from parley.cases.access import CaseContext, check_mediator, enter_case, load_context
from parley.cases.models import Participant
from parley.cases.policy import CaseStatus
from parley.errors import BadInput, DomainError, NotFound
from parley.meetings.access import session_invitees
from parley.meetings.models import Attendee, CaseSchedule, Session
from parley.meetings.policy import (
    AttendanceSource,
    SessionKind,
    SessionStatus,
    check_reminder_hours,
    check_times,
    check_video_link,
    session_room,
    zone,
)
from parley.notifications.hooks import send_session_mail_on_commit
from parley.realtime.publish import publish_on_commit


def _mail_on_commit(session_id: int, change: str) -> None:
    send_session_mail_on_commit(session_id, change)


def _tell(ctx: CaseContext, session: Session, change: str) -> None:
    publish_on_commit(
        session_invitees(ctx, session),
        {"type": "sessions_changed", "case": ctx.case.pk, "session": session.pk},
    )
    _mail_on_commit(session.pk, change)


def check_open(ctx: CaseContext) -> None:
    if ctx.case.status == CaseStatus.TERMINATED:
        raise DomainError("case_terminated", _("This mediation has ended."))


def _locked_session(ctx: CaseContext, session_id: int) -> Session:
    session = Session.objects.select_for_update().filter(case=ctx.case, pk=session_id).first()
    if session is None:
        raise NotFound()
    return session


def session_audience(ctx: CaseContext, session: Session) -> Audience:
    """A session's events open to its invitees: the readers of the room it meets in (a caucus
    session is that side's and the mediator's, R3.2, R9.1)."""
    return room_readers(
        [session_room(SessionKind(session.kind), session.side_id, ctx.room_refs.values()).id]
    )


def new_session(
    ctx: CaseContext,
    me: Participant,
    kind: SessionKind,
    side_id: int | None,
    starts_at: datetime,
    ends_at: datetime,
    time_zone: str,
    link: str,
) -> Session:
    """Precondition: the caller holds the case lock and checked the mediator and the times."""
    if kind == SessionKind.JOINT:
        side_id = None
    session_room(kind, side_id, ctx.room_refs.values())
    case = ctx.case
    session = Session.objects.create(
        case=case,
        number=Session.objects.filter(case=case).count() + 1,
        kind=kind,
        side_id=side_id,
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone=time_zone,
        video_link=link,
        uid=f"{uuid.uuid4()}@parley",
    )
    record_event(
        case,
        "session_scheduled",
        actor_id=me.pk,
        subject_id=session.pk,
        audience=session_audience(ctx, session),
        content_hashes={
            "kind": kind.value,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
        },
    )
    _tell(ctx, session, "new")
    return session


def do_schedule_session(
    *,
    acting_user: User,
    case_id: int,
    kind: SessionKind,
    side_id: int | None,
    starts_at: datetime,
    ends_at: datetime,
    time_zone: str,
    video_link: str = "",
) -> Session:
    """R10.1: the mediator puts a joint session, or a caucus with one side, on the calendar."""
    if kind not in SessionKind.values:
        raise BadInput("bad_kind", _("A session is joint or a caucus with one side."))
    kind = SessionKind(kind)
    zone(time_zone)
    link = check_video_link(video_link)
    check_times(starts_at, ends_at, timezone.now())
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        case = ctx.case
        check_mediator(me)
        ctx = load_context(case)
        check_open(ctx)
        session = new_session(ctx, me, kind, side_id, starts_at, ends_at, time_zone, link)
    return session


def do_move_session(
    *,
    acting_user: User,
    case_id: int,
    session_id: int,
    starts_at: datetime,
    ends_at: datetime,
    time_zone: str,
    video_link: str | None = None,
) -> Session:
    """R10.1: a new time (or link); everyone invited is told, calendars get SEQUENCE + 1."""
    zone(time_zone)
    link = None if video_link is None else check_video_link(video_link)
    check_times(starts_at, ends_at, timezone.now())
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        case = ctx.case
        check_mediator(me)
        ctx = load_context(case)
        check_open(ctx)
        session = _locked_session(ctx, session_id)
        if session.status == SessionStatus.CANCELLED:
            raise DomainError("session_cancelled", _("This session was cancelled."))
        session.starts_at, session.ends_at, session.time_zone = starts_at, ends_at, time_zone
        if link is not None:
            session.video_link = link
        session.sequence += 1
        session.changed_at = timezone.now()
        session.save(
            update_fields=[
                "starts_at",
                "ends_at",
                "time_zone",
                "video_link",
                "sequence",
                "changed_at",
            ]
        )
        record_event(
            case,
            "session_moved",
            actor_id=me.pk,
            subject_id=session.pk,
            content_hashes={"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()},
            audience=session_audience(ctx, session),
        )
        _tell(ctx, session, "moved")
    return session


def do_cancel_session(*, acting_user: User, case_id: int, session_id: int) -> Session:
    """R10.1: cancelled sessions stay listed as cancelled; calendars get METHOD:CANCEL."""
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        case = ctx.case
        check_mediator(me)
        ctx = load_context(case)
        session = _locked_session(ctx, session_id)
        if session.status == SessionStatus.CANCELLED:
            raise DomainError("session_cancelled", _("This session was already cancelled."))
        if session.roster_confirmed_at is not None:
            raise DomainError("session_held", _("This session was held; it cannot be cancelled."))
        session.status = SessionStatus.CANCELLED
        session.sequence += 1
        session.changed_at = timezone.now()
        session.save(update_fields=["status", "sequence", "changed_at"])
        record_event(
            case,
            "session_cancelled",
            actor_id=me.pk,
            subject_id=session.pk,
            audience=session_audience(ctx, session),
        )
        _tell(ctx, session, "cancelled")
    return session


def do_confirm_roster(
    *,
    acting_user: User,
    case_id: int,
    session_id: int,
    present_ids: list[int],
    by_phone_ids: list[int] | None = None,
) -> Session:
    """R10.5: the mediator confirms who attended, from the presence record, adding anyone who
    joined by phone. The §7 report reads this roster and nothing else. It can be confirmed
    again (a correction) and each confirmation is in the audit chain."""
    by_phone = set(by_phone_ids or [])
    wanted = set(present_ids) | by_phone
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        case = ctx.case
        check_mediator(me)
        ctx = load_context(case)
        session = _locked_session(ctx, session_id)
        if session.status == SessionStatus.CANCELLED:
            raise DomainError("session_cancelled", _("This session was cancelled."))
        if timezone.now() < session.starts_at:
            raise DomainError("session_not_started", _("Confirm who attended once it has begun."))
        invited = session_invitees(ctx, session)
        if not wanted <= invited:
            raise BadInput("bad_attendee", _("Every attendee must be invited to this session."))
        Attendee.objects.filter(session=session).delete()
        Attendee.objects.bulk_create(
            Attendee(
                session=session,
                participant_id=pid,
                source=AttendanceSource.PHONE if pid in by_phone else AttendanceSource.PRESENCE,
            )
            for pid in sorted(wanted)
        )
        session.roster_confirmed_at = timezone.now()
        session.save(update_fields=["roster_confirmed_at"])
        record_event(
            case,
            "attendance_confirmed",
            actor_id=me.pk,
            subject_id=session.pk,
            content_hashes={"present": sorted(wanted), "by_phone": sorted(by_phone)},
            audience=session_audience(ctx, session),
        )
        publish_on_commit(
            invited, {"type": "sessions_changed", "case": case.pk, "session": session.pk}
        )
    return session


def do_set_schedule(
    *, acting_user: User, case_id: int, title_in_calendar: bool, reminder_hours: list[int]
) -> CaseSchedule:
    """The case's calendar settings: may the title appear in calendars (R10.3), and when do
    reminders go out (R10.4)."""
    hours = check_reminder_hours(reminder_hours)
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        case = ctx.case
        check_mediator(me)
        schedule, _ = CaseSchedule.objects.get_or_create(case=case)
        schedule.title_in_calendar = title_in_calendar
        schedule.reminder_hours = hours
        schedule.save(update_fields=["title_in_calendar", "reminder_hours"])
        record_event(
            case,
            "schedule_settings_changed",
            actor_id=me.pk,
            content_hashes={
                "title_in_calendar": title_in_calendar,
            },
            salted={"reminder_hours": ",".join(map(str, hours))},
        )
    return schedule


def attendees_of(session: Session) -> list[Participant]:
    return [
        a.participant
        for a in Attendee.objects.filter(session=session).select_related("participant")
    ]
