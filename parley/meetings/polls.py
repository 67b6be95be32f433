"""Availability polls (R10.2): the mediator proposes 2 to 10 times; each invitee answers yes,
if need be, or no; people see their own answers, the mediator sees everyone's and turns one
time into a session."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parley.accounts.models import User
from parley.audit.actions import record_event
from parley.audit.policy import Audience, room_readers
from parley.cases.access import CaseContext, access_case, check_mediator, enter_case, load_context
from parley.cases.models import Participant
from parley.cases.policy import Role
from parley.errors import BadInput, DomainError, Forbidden, NotFound
from parley.meetings.access import poll_invitees
from parley.meetings.actions import check_open, new_session
from parley.meetings.models import Poll, PollAnswer, PollSlot, Session
from parley.meetings.policy import (
    Answer,
    SessionKind,
    check_slot_count,
    check_times,
    check_video_link,
    session_room,
    zone,
)
from parley.meetings.times import span
from parley.realtime.publish import publish_on_commit


def _tell(ctx: CaseContext, poll: Poll) -> None:
    publish_on_commit(
        poll_invitees(ctx, poll), {"type": "sessions_changed", "case": ctx.case.pk, "poll": poll.pk}
    )


def do_create_poll(
    *,
    acting_user: User,
    case_id: int,
    kind: SessionKind,
    side_id: int | None,
    time_zone: str,
    slots: list[tuple[datetime, datetime]],
) -> Poll:
    if kind not in SessionKind.values:
        raise BadInput("bad_kind", _("A session is joint or a caucus with one side."))
    kind = SessionKind(kind)
    zone(time_zone)
    check_slot_count(len(slots))
    now = timezone.now()
    for start, end in slots:
        check_times(start, end, now)
    if len({s for s, _ in slots}) != len(slots):
        raise BadInput("bad_slots", _("Each proposed time must be different."))
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        case = ctx.case
        check_mediator(me)
        ctx = load_context(case)
        check_open(ctx)
        if kind == SessionKind.JOINT:
            side_id = None
        session_room(kind, side_id, ctx.room_refs.values())
        poll = Poll.objects.create(case=case, kind=kind, side_id=side_id, time_zone=time_zone)
        PollSlot.objects.bulk_create(
            PollSlot(poll=poll, starts_at=s, ends_at=e) for s, e in sorted(slots)
        )
        record_event(
            case,
            "poll_created",
            actor_id=me.pk,
            subject_id=poll.pk,
            salted={"slots": ",".join(s.isoformat() for s, _ in slots)},
            audience=room_readers([session_room(kind, side_id, ctx.room_refs.values()).id]),
        )
        _tell(ctx, poll)
        from parley.notifications.hooks import send_poll_mail_on_commit

        send_poll_mail_on_commit(poll.pk)
    return poll


def _access_poll(ctx: CaseContext, me: Participant, poll_id: int, *, lock: bool = False) -> Poll:
    polls = Poll.objects.select_for_update() if lock else Poll.objects.all()
    poll = polls.filter(case=ctx.case, pk=poll_id).first()
    if poll is None or (me.role != Role.MEDIATOR and me.pk not in poll_invitees(ctx, poll)):
        raise NotFound()
    return poll


def do_answer_poll(
    *, acting_user: User, case_id: int, poll_id: int, answers: dict[int, Answer]
) -> Poll:
    """An invitee's answers, one per proposed time; answering again replaces them."""
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        case = ctx.case
        ctx = load_context(case)
        poll = _access_poll(ctx, me, poll_id, lock=True)
        if me.role == Role.MEDIATOR or me.pk not in poll_invitees(ctx, poll):
            raise Forbidden("not_invited", _("This poll asks the others; you pick the time."))
        if poll.closed_at is not None:
            raise DomainError("poll_closed", _("The mediator has already picked a time."))
        slot_ids = set(PollSlot.objects.filter(poll=poll).values_list("pk", flat=True))
        if not answers or not set(answers) <= slot_ids:
            raise BadInput("bad_slot", _("Answer for the times this poll proposes."))
        if any(a not in Answer.values for a in answers.values()):
            raise BadInput("bad_answer", _("Answer yes, if need be, or no."))
        for slot_id, answer in answers.items():
            PollAnswer.objects.update_or_create(
                slot_id=slot_id,
                participant=me,
                defaults={"answer": Answer(answer), "answered_at": timezone.now()},
            )
        record_event(
            case,
            "poll_answered",
            actor_id=me.pk,
            subject_id=poll.pk,
            salted={"answers": repr(sorted(answers.items()))},
            # R10.2: a person's answers are theirs and the mediator's.
            audience=Audience(people=(me.pk,), mediator=True),
        )
        publish_on_commit(
            [p.pk for p in ctx.participants.values() if p.role == Role.MEDIATOR],
            {"type": "sessions_changed", "case": case.pk, "poll": poll.pk},
        )
    return poll


def do_pick_slot(
    *, acting_user: User, case_id: int, poll_id: int, slot_id: int, video_link: str = ""
) -> Session:
    """The mediator turns one proposed time into a session, in one step; the poll closes."""
    link = check_video_link(video_link)
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        case = ctx.case
        check_mediator(me)
        ctx = load_context(case)
        check_open(ctx)
        poll = _access_poll(ctx, me, poll_id, lock=True)
        if poll.closed_at is not None:
            raise DomainError("poll_closed", _("A time was already picked for this poll."))
        slot = PollSlot.objects.filter(poll=poll, pk=slot_id).first()
        if slot is None:
            raise BadInput("bad_slot", _("Pick one of the times this poll proposes."))
        check_times(slot.starts_at, slot.ends_at, timezone.now())
        session = new_session(
            ctx,
            me,
            SessionKind(poll.kind),
            poll.side_id,
            slot.starts_at,
            slot.ends_at,
            poll.time_zone,
            link,
        )
        poll.closed_at = timezone.now()
        poll.session = session
        poll.save(update_fields=["closed_at", "session"])
        record_event(
            case,
            "poll_closed",
            actor_id=me.pk,
            subject_id=poll.pk,
            audience=room_readers(
                [session_room(SessionKind(poll.kind), poll.side_id, ctx.room_refs.values()).id]
            ),
        )
    return session


def polls_for(user: User, case_id: int, zone_name: str) -> list[dict[str, Any]]:
    """Open and closed polls `user` may see, each slot in the reader's zone, with the reader's
    own answers, and everyone's for the mediator only (R10.2)."""
    case, me = access_case(user, case_id)
    ctx = load_context(case)
    is_mediator = me.role == Role.MEDIATOR
    polls = [
        p
        for p in Poll.objects.filter(case=case).select_related("side")
        if is_mediator or me.pk in poll_invitees(ctx, p)
    ]
    slots = list(PollSlot.objects.filter(poll__in=polls).order_by("starts_at", "pk"))
    answers = PollAnswer.objects.filter(slot__in=slots)
    if not is_mediator:
        answers = answers.filter(participant=me)
    by_slot: dict[int, dict[int, str]] = {}
    for a in answers:
        by_slot.setdefault(a.slot_id, {})[a.participant_id] = a.answer
    rows = []
    for poll in polls:
        invited = sorted(
            pid for pid in poll_invitees(ctx, poll) if ctx.participants[pid].role != Role.MEDIATOR
        )
        label = str(SessionKind(poll.kind).label)
        if poll.side is not None:
            label = _("Caucus with %(side)s") % {"side": poll.side.label}
        rows.append(
            {
                "id": poll.pk,
                "kind": poll.kind,
                "side": poll.side_id,
                "label": label,
                "open": poll.closed_at is None,
                "session": poll.session_id,
                "people": [
                    {"id": pid, "name": ctx.participants[pid].display_name}
                    for pid in invited
                    if is_mediator
                ],
                "slots": [
                    {
                        "id": s.pk,
                        "starts_at": s.starts_at.isoformat(),
                        "ends_at": s.ends_at.isoformat(),
                        "local": span(s.starts_at, s.ends_at, zone_name),
                        "mine": by_slot.get(s.pk, {}).get(me.pk),
                        "answers": {str(pid): by_slot.get(s.pk, {}).get(pid) for pid in invited}
                        if is_mediator
                        else None,
                        "grid": [by_slot.get(s.pk, {}).get(pid) for pid in invited]
                        if is_mediator
                        else None,
                        "yes": sum(1 for a in by_slot.get(s.pk, {}).values() if a == Answer.YES)
                        if is_mediator
                        else None,
                    }
                    for s in slots
                    if s.poll_id == poll.pk
                ],
                "can_answer": poll.closed_at is None and me.pk in invited and not is_mediator,
            }
        )
    return rows
