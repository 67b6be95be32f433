"""Background jobs. Arguments are ids only, so the queue (Redis or a SQLite file) never holds
mediation content; each task reads through the same policy as the pages."""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from huey import crontab
from huey.api import Task

from parley.accounts.models import User
from parley.agreements.models import Signature
from parley.cases.access import CaseContext, current_agreement, load_context
from parley.cases.invitations import invitation_token
from parley.cases.models import Case, Invitation, InvitationStatus, MailStatus, Participant
from parley.cases.policy import CaseStatus, Role
from parley.cases.record import count_entries, open_record, write_record_json
from parley.cases.record_pdf import write_record_pdf
from parley.errors import DomainError
from parley.meetings.access import poll_invitees, session_invitees
from parley.meetings.calendar import invitation_ics
from parley.meetings.models import Poll, PollSlot, ReminderSent, Session
from parley.meetings.policy import SessionKind, SessionStatus, reminder_due
from parley.meetings.queries import schedule_of
from parley.meetings.times import span, zone_of_user
from parley.notifications.mail import (
    Mail,
    activity_mail,
    address_of,
    deliver,
    in_language_of,
    invitation_mail,
    poll_mail,
    reminder_mail,
    session_mail,
)
from parley.notifications.models import (
    DeadLetter,
    ExportFormat,
    ExportJob,
    ExportStatus,
    MailKind,
    MailMark,
)
from parley.notifications.queue import HUEY, job, periodic_job
from parley.notifications.reading import unread_by
from parley.vault.keys import seal_bytes

logger = logging.getLogger(__name__)

RETRIES = 3
RETRY_DELAY = 30
REMINDER_EVERY = timedelta(days=2)


def _send_debounced(
    participants: list[Participant],
    kind: MailKind,
    scope: int,
    mail: Callable[[], Mail],
    every: timedelta,
) -> int:
    """Mail each person unless they were mailed about `scope` within `every`. The marks of
    those mailed are written together once the sends are done, and also when a send fails, so
    a retry skips those already mailed and reaches the rest. One short write per job: on the
    embedded SQLite database this job shares the one writer with the posts. `mail()` writes
    the mail; it is called for each person in that person's language."""
    now = timezone.now()
    recent = set(
        MailMark.objects.filter(
            participant__in=participants, kind=kind, scope=scope, last_sent_at__gt=now - every
        ).values_list("participant_id", flat=True)
    )
    mailed: list[Participant] = []
    try:
        for person in participants:
            if person.pk in recent:
                continue
            with in_language_of(person.user):
                deliver(mail(), address_of(person))
            mailed.append(person)
    finally:
        if mailed:
            MailMark.objects.bulk_create(
                [MailMark(participant=p, kind=kind, scope=scope, last_sent_at=now) for p in mailed],
                update_conflicts=True,
                unique_fields=["participant", "kind", "scope"],
                update_fields=["last_sent_at"],
            )
    return len(mailed)


@job(retries=RETRIES, retry_delay=RETRY_DELAY)
def notify_new_activity(case_id: int, room_id: int) -> int:
    """ "New activity in <room>" to the room's members (the policy's recipients) who have not
    read what others wrote there: someone watching the room has read it live and gets nothing.
    At most one mail per person per room per PARLEY_NOTIFY_EVERY_SECONDS."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return 0
    # Read afresh: the job runs in its own process (parley worker), which never shares the
    # servers' roster cache, and the roster may have changed since the post.
    ctx = load_context(case)
    room = ctx.rooms.get(room_id)
    if room is None:
        return 0
    ids = unread_by(room_id, ctx.recipients(room_id))
    people = [ctx.participants[pid] for pid in ids]
    every = timedelta(seconds=settings.PARLEY_NOTIFY_EVERY_SECONDS)
    return _send_debounced(
        people, MailKind.ACTIVITY, room.pk, lambda: activity_mail(room, case), every
    )


@job(retries=RETRIES, retry_delay=RETRY_DELAY)
def send_invitation(invitation_id: int) -> bool:
    """The invitation with its join link. The token is made here, not passed through the queue."""
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is None or invitation.status != InvitationStatus.PENDING:
        return False
    if invitation.expires_at < timezone.now():
        return False
    mediator = (
        Participant.objects.filter(case_id=invitation.case_id, role=Role.MEDIATOR)
        .values_list("display_name", flat=True)
        .first()
    )
    # The invitee reads it in their own language if they have an account, else in the
    # language of the mediator who invites them.
    reader = User.objects.filter(email__iexact=invitation.email).first() or (
        Participant.objects.filter(case_id=invitation.case_id, role=Role.MEDIATOR)
        .select_related("user")
        .first()
    )
    with in_language_of(reader.user if isinstance(reader, Participant) else reader):
        mail = invitation_mail(
            invitation, invitation_token(invitation), mediator or _("Your mediator")
        )
    try:
        deliver(mail, invitation.email)
    except Exception:
        # Shown on the set-up page; the queue tries again, and a later success says "sent".
        Invitation.objects.filter(pk=invitation.pk).update(mail_status=MailStatus.FAILED)
        raise
    Invitation.objects.filter(pk=invitation.pk).update(
        mail_status=MailStatus.SENT, mail_sent_at=timezone.now()
    )
    return True


def unsigned_participants(case: Case) -> list[Participant]:
    agreement = current_agreement(case)
    if agreement is None or agreement.issued_at is None:
        return []
    signed = set(
        Signature.objects.filter(agreement=agreement).values_list("participant_id", flat=True)
    )
    return [
        p
        for p in Participant.objects.filter(case=case).select_related("user")
        if p.pk not in signed
    ]


@job(retries=RETRIES, retry_delay=RETRY_DELAY)
def remind_unsigned(case_id: int) -> int:
    case = Case.objects.filter(pk=case_id).first()
    if case is None or case.status == CaseStatus.TERMINATED:
        return 0
    people = unsigned_participants(case)
    return _send_debounced(
        people, MailKind.REMINDER, case.pk, lambda: reminder_mail(case), REMINDER_EVERY
    )


@periodic_job(crontab(minute="0", hour="9"))
def remind_all_unsigned() -> None:
    """Once a day: one reminder job per case still waiting for signatures."""
    for case_id in Case.objects.filter(
        status__in=[CaseStatus.SIGNING, CaseStatus.ACTIVE]
    ).values_list("pk", flat=True):
        remind_unsigned(case_id)


@periodic_job(crontab(minute="30"))
def retention() -> None:
    """Every hour: retention notices that are due, and case keys whose time has come (R11.4)."""
    from parley.cases.retention import enforce_retention

    enforce_retention()


@job()
def generate_export(job_id: int) -> str:
    """The record of what the requester can see (R5.2), as JSON or PDF, through
    cases.record.open_record, stored sealed for the requester only. Progress (entries done
    of the total) is saved as it goes. Someone who left the case gets nothing; a case whose
    key was destroyed gives `content_destroyed`. Never retried: the person asks again."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=timezone.now()
    )
    job = ExportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if not claimed or job is None:
        return ""
    try:
        return _make_export(job)
    except DomainError as refused:  # NotFound: left the case; ContentDestroyed (R11.4)
        _finish(job, ExportStatus.FAILED, problem=refused.code)
        return ""
    except Exception:
        _finish(job, ExportStatus.FAILED, problem="error")
        raise


def _finish(job: ExportJob, status: ExportStatus, *, problem: str = "") -> None:
    ExportJob.objects.filter(pk=job.pk).update(
        status=status, problem=problem, finished_at=timezone.now()
    )


def _make_export(job: ExportJob) -> str:
    user = job.requested_by
    assert isinstance(user, User)
    record = open_record(user, job.case_id)
    total = count_entries(record)
    ExportJob.objects.filter(pk=job.pk).update(total=total)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(done=min(done, total))

    # The plaintext stays in this process's memory, never on a disk: what is stored is
    # sealed under the case key (R11.3).
    plain = io.BytesIO()
    if job.format == ExportFormat.PDF:
        write_record_pdf(record, plain, progress=progress)
    else:
        write_record_json(record, plain, progress=progress)
    raw = plain.getvalue()
    del plain
    digest = hashlib.sha256(raw).hexdigest()
    sealed = seal_bytes(job.case_id, f"export:{job.pk}", raw)
    del raw
    now = timezone.now()
    with transaction.atomic():
        job.file.save(
            f"export-{job.pk}-{digest[:16]}.{job.format}", ContentFile(sealed), save=False
        )
        job.sha256 = digest
        job.status = ExportStatus.READY
        job.done = total
        job.finished_at = now
        job.expires_at = now + timedelta(hours=settings.PARLEY_EXPORT_KEEP_HOURS)
        job.save(update_fields=["file", "sha256", "status", "done", "finished_at", "expires_at"])
    return digest


@periodic_job(crontab(minute="*/10"))
def expire_exports() -> None:
    """Every ten minutes: exports past their time are deleted (R5.2, R11.3)."""
    sweep_exports()


def sweep_exports(now: datetime | None = None) -> int:
    """Deletes the files of exports past `expires_at`; an export stuck unfinished for an hour
    (its worker died) fails, so its person can ask again. Returns how many files went."""
    now = now or timezone.now()
    gone = 0
    for done in ExportJob.objects.filter(status=ExportStatus.READY, expires_at__lte=now):
        if done.file:
            done.file.delete(save=False)
        done.status = ExportStatus.EXPIRED
        done.save(update_fields=["file", "status"])
        gone += 1
    stale = now - timedelta(hours=1)
    ExportJob.objects.filter(
        Q(status=ExportStatus.RUNNING, started_at__lt=stale)
        | Q(status=ExportStatus.QUEUED, created_at__lt=stale)
    ).update(status=ExportStatus.FAILED, problem="error", finished_at=now)
    return gone


def record_dead_letter(task: Task, task_value: Any, exc: BaseException | None) -> None:
    """A task that failed and has no retries left goes to the dead-letter table, where the
    operator sees it (ids only) and can run it again."""
    if exc is None or task.retries:
        return
    try:
        DeadLetter.objects.create(
            task_name=task.name,
            task_id=task.id,
            arguments={"args": list(task.args or ()), "kwargs": dict(task.kwargs or {})},
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
    except Exception:
        logger.exception("could not record dead letter for %s %s", task.name, task.id)
    finally:
        # This hook runs outside db_task's connection handling: do not leave one open in a
        # consumer thread (djhuey's own rule: never in immediate mode, inside a request).
        if not HUEY.immediate:
            close_old_connections()


HUEY.post_execute()(record_dead_letter)


def _mediator_name(ctx: CaseContext) -> str:
    return next(
        (p.display_name for p in ctx.participants.values() if p.role == Role.MEDIATOR),
        _("Your mediator"),
    )


def _session_mail_for(
    ctx: CaseContext, session: Session, person: Participant, change: str, title: str | None
) -> Mail:
    zone_name = zone_of_user(person.user) or session.time_zone
    address = address_of(person)
    with in_language_of(person.user):
        ics = None if change == "reminder" else invitation_ics(session, title, address)
        return session_mail(
            change=change,
            when=span(session.starts_at, session.ends_at, zone_name),
            kind_label=str(SessionKind(session.kind).label),
            mediator_name=_mediator_name(ctx),
            case_id=ctx.case.pk,
            ics=ics,
        )


@job(retries=RETRIES, retry_delay=RETRY_DELAY)
def send_session_mails(session_id: int, change: str) -> int:
    """A session's invitation ("new"), change ("moved") or cancellation ("cancelled"), each
    with its calendar file, to everyone invited to it now (R10.1, R10.3). The file carries the
    session's current SEQUENCE, so a late job never undoes a newer change in a calendar."""
    session = Session.objects.select_related("case").filter(pk=session_id).first()
    if session is None:
        return 0
    ctx = load_context(session.case)
    title = ctx.case.title if schedule_of(ctx.case.pk).title_in_calendar else None
    sent = 0
    for pid in sorted(session_invitees(ctx, session)):
        person = ctx.participants[pid]
        deliver(_session_mail_for(ctx, session, person, change, title), address_of(person))
        sent += 1
    return sent


@job(retries=RETRIES, retry_delay=RETRY_DELAY)
def send_poll_mails(poll_id: int) -> int:
    """ "When can you attend?" to everyone a poll asks (R10.2): a link, no times, no content."""
    poll = Poll.objects.select_related("case").filter(pk=poll_id, closed_at__isnull=True).first()
    if poll is None:
        return 0
    ctx = load_context(poll.case)
    count = PollSlot.objects.filter(poll=poll).count()
    sent = 0
    for pid in sorted(poll_invitees(ctx, poll)):
        person = ctx.participants[pid]
        if person.role != Role.MEDIATOR:
            with in_language_of(person.user):
                mail = poll_mail(
                    mediator_name=_mediator_name(ctx), case_id=ctx.case.pk, count=count
                )
            deliver(mail, address_of(person))
            sent += 1
    return sent


@periodic_job(crontab(minute="*"))
def send_due_reminders() -> int:
    """Every minute: the reminders whose time has come (R10.4), default 24 h and 1 h before.

    Each is recorded in the transaction that sends it, keyed by the start time it was for:
    a restarted worker never sends it twice, and a cancelled or moved-away time gets none."""
    now = timezone.now()
    horizon = now + timedelta(hours=24 * 14 + 1)
    upcoming = Session.objects.select_related("case").filter(
        status=SessionStatus.SCHEDULED, starts_at__gt=now, starts_at__lte=horizon
    )
    sent = 0
    for session in upcoming:
        hours = reminder_due(
            session.starts_at,
            session.changed_at,
            schedule_of(session.case_id).reminder_hours,
            now,
        )
        if hours is None:
            continue
        sent += _remind(session, hours)
    return sent


def _remind(session: Session, hours: int) -> int:
    ctx = load_context(session.case)
    done = set(
        ReminderSent.objects.filter(
            session=session, hours_before=hours, for_start=session.starts_at
        ).values_list("participant_id", flat=True)
    )
    sent = 0
    for pid in sorted(session_invitees(ctx, session) - done):
        person = ctx.participants[pid]
        try:
            with transaction.atomic():
                ReminderSent.objects.create(
                    session=session,
                    participant=person,
                    hours_before=hours,
                    for_start=session.starts_at,
                )
                deliver(
                    _session_mail_for(ctx, session, person, "reminder", None), address_of(person)
                )
        except IntegrityError:
            continue  # another worker sent this one
        sent += 1
    return sent
