"""Reading sessions: only through these. A session a person is not invited to looks exactly
like one that does not exist (R3.6)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone

from parley.accounts.models import User
from parley.agreements.models import Agreement, Signature
from parley.cases.access import CaseContext, access_case, load_context
from parley.cases.models import Participant
from parley.cases.policy import Role
from parley.errors import NotFound
from parley.meetings.models import Poll, Session
from parley.meetings.policy import SessionKind, SessionStatus, invitees, session_room
from parley.rooms.policy import Person, RoomKind, RoomRef, in_room


def session_invitees(ctx: CaseContext, session: Session) -> frozenset[int]:
    """Participant ids invited to `session`: the readers of its room, and the mediator, who
    schedules it (also before they have signed)."""
    room = session_room(SessionKind(session.kind), session.side_id, ctx.room_refs.values())
    mediators = {p.pk for p in ctx.participants.values() if p.role == Role.MEDIATOR}
    return invitees(room, ctx.people.values()) | mediators


def sessions_for(ctx: CaseContext, me: Participant) -> list[Session]:
    """Every session of the case that `me` is invited to, cancelled ones included."""
    return [
        s
        for s in Session.objects.filter(case=ctx.case).select_related("side")
        if me.pk in session_invitees(ctx, s)
    ]


@dataclass(frozen=True)
class SessionAccess:
    ctx: CaseContext
    me: Participant
    session: Session


def access_session(user: User, case_id: int, session_id: int) -> SessionAccess:
    case, me = access_case(user, case_id)
    ctx = load_context(case)
    session = Session.objects.filter(case=case, pk=session_id).select_related("side").first()
    if session is None or me.pk not in session_invitees(ctx, session):
        raise NotFound()
    return SessionAccess(ctx, me, session)


def invited_person(person: Person, kind: SessionKind, side_id: int | None) -> bool:
    """The same rule as session_invitees, for one person, without loading the case's rooms."""
    if person.role == Role.MEDIATOR:
        return True
    room_kind = RoomKind.JOINT if kind == SessionKind.JOINT else RoomKind.CAUCUS
    return in_room(person, RoomRef(0, room_kind, side_id))


def signed_participants(participations: list[Participant]) -> set[int]:
    """Which of these participations have signed their case's current agreement (R2.2), in
    two queries, as load_context decides it for one case."""
    by_case = {p.case_id: p for p in participations}
    latest = dict(
        Agreement.objects.filter(case_id__in=by_case)
        .values("case_id")
        .annotate(v=Max("version"))
        .values_list("case_id", "v")
    )
    signed = {
        pid
        for pid, case_id, version in Signature.objects.filter(
            participant__in=participations
        ).values_list("participant_id", "agreement__case_id", "agreement__version")
        if latest.get(case_id) == version
    }
    return signed


def next_sessions(participations: list[Participant]) -> dict[int, Session]:
    """For each of a person's cases, the session running now or the next one they are
    invited to. A fixed number of queries, whatever the number of cases."""
    now = timezone.now()
    by_case = {p.case_id: p for p in participations}
    signed = signed_participants(participations)
    found: dict[int, Session] = {}
    for s in (
        Session.objects.filter(case_id__in=by_case, status=SessionStatus.SCHEDULED, ends_at__gt=now)
        .select_related("side")
        .order_by("starts_at", "pk")
    ):
        if s.case_id in found:
            continue
        me = by_case[s.case_id]
        person = Person(me.pk, Role(me.role), me.side_id, me.pk in signed)
        if invited_person(person, SessionKind(s.kind), s.side_id):
            found[s.case_id] = s
    return found


def poll_invitees(ctx: CaseContext, poll: Poll) -> frozenset[int]:
    """The people a session of this kind is for: the same rule as for the session itself."""
    return frozenset(
        pid
        for pid, person in ctx.people.items()
        if invited_person(person, SessionKind(poll.kind), poll.side_id)
    )
