"""The dashboard: my cases, searchable, filtered by state, sorted by next session or last
activity, each with its next session and its unread entries. A fixed number of queries per
page, whatever the number of cases (asserted in the tests; benchmarks/dashboard.py times it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import OuterRef, Q, Subquery
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from parley.accounts.models import User
from parley.cases.models import Participant
from parley.cases.policy import CaseStatus, Outcome, Role
from parley.meetings.access import next_sessions, signed_participants
from parley.meetings.models import Session
from parley.meetings.policy import SessionKind, SessionStatus
from parley.meetings.serialize import session_payload
from parley.notifications.reading import unread_counts
from parley.rooms.models import Entry, Room
from parley.rooms.policy import Person, RoomKind, RoomRef, in_room

PAGE = 50

STATES = {
    "draft": (gettext_lazy("Draft"), Q(case__status=CaseStatus.SETUP)),
    "signing": (gettext_lazy("Waiting for signatures"), Q(case__status=CaseStatus.SIGNING)),
    "active": (gettext_lazy("Active"), Q(case__status=CaseStatus.ACTIVE)),
    "settled": (
        gettext_lazy("Settled"),
        Q(case__status=CaseStatus.TERMINATED, case__outcome=Outcome.SETTLED),
    ),
    "not_settled": (
        gettext_lazy("Ended, not settled"),
        Q(case__status=CaseStatus.TERMINATED, case__outcome=Outcome.NOT_SETTLED),
    ),
}
SORTS = {
    "next": gettext_lazy("Next session"),
    "activity": gettext_lazy("Last activity"),
    "created": gettext_lazy("Newest first"),
}


@dataclass(frozen=True)
class Query:
    q: str = ""
    state: str = ""
    sort: str = "next"
    page: int = 1

    @classmethod
    def from_request(cls, request: HttpRequest) -> Query:
        page = request.GET.get("page", "1")
        state = request.GET.get("state", "")
        sort = request.GET.get("sort", "next")
        return cls(
            q=request.GET.get("q", "").strip()[:200],
            state=state if state in STATES else "",
            sort=sort if sort in SORTS else "next",
            page=max(1, int(page)) if page.isdigit() else 1,
        )


def state_label(status: str, outcome: str) -> str:
    if status == CaseStatus.TERMINATED:
        return str(STATES["settled" if outcome == Outcome.SETTLED else "not_settled"][0])
    keys: dict[str, str] = {CaseStatus.SETUP: "draft", CaseStatus.SIGNING: "signing"}
    key = keys.get(status, "active")
    return str(STATES[key][0])


def _may_see_activity(role: str, side_id: int | None, kind: str, room_side: int | None) -> bool:
    """Whose rooms' timing a person's sort may use: the policy's rooms by kind and side
    (R3.1–R3.4), without the signature check. Times only, never content."""
    if kind == RoomKind.JOINT:
        return True
    if role == Role.MEDIATOR:
        return kind in (RoomKind.CAUCUS, RoomKind.NOTEBOOK)
    return kind in (RoomKind.CAUCUS, RoomKind.COUNSEL) and room_side == side_id


Key = tuple[int, int, str, int | None]  # participation, case, role, side


def _next_starts(keys: list[Key], cases: list[int]) -> dict[int, datetime]:
    """Each participation's next session it is invited to (by kind and side), in one query."""
    upcoming = Session.objects.filter(
        case_id__in=cases, status=SessionStatus.SCHEDULED, ends_at__gt=timezone.now()
    ).values_list("case_id", "kind", "side_id", "starts_at")
    by_case: dict[int, list[tuple[str, int | None, datetime]]] = {}
    for case_id, kind, session_side, starts_at in upcoming:
        by_case.setdefault(case_id, []).append((kind, session_side, starts_at))
    found: dict[int, datetime] = {}
    for pk, case_id, role, side_id in keys:
        times = [
            at
            for kind, session_side, at in by_case.get(case_id, [])
            if role == Role.MEDIATOR or kind == SessionKind.JOINT or session_side == side_id
        ]
        if times:
            found[pk] = min(times)
    return found


def _last_activity(keys: list[Key], cases: list[int]) -> dict[int, datetime]:
    """Each participation's latest entry in the rooms it may follow, in one query: the last
    entry of each room is one look-up in the (room, id) index."""
    last = Entry.objects.filter(room_id=OuterRef("pk")).order_by("-id").values("created_at")[:1]
    rooms = (
        Room.objects.filter(case_id__in=cases)
        .annotate(last=Subquery(last))
        .filter(last__isnull=False)
        .values_list("case_id", "kind", "side_id", "last")
    )
    by_case: dict[int, list[tuple[str, int | None, datetime]]] = {}
    for case_id, kind, room_side, at in rooms:
        by_case.setdefault(case_id, []).append((kind, room_side, at))
    found: dict[int, datetime] = {}
    for pk, case_id, role, side_id in keys:
        times = [
            at
            for kind, room_side, at in by_case.get(case_id, [])
            if _may_see_activity(role, side_id, kind, room_side)
        ]
        if times:
            found[pk] = max(times)
    return found


def search(user: User, query: Query) -> tuple[list[Participant], int]:
    """One page of my participations matching the query, and how many match in all. The sort
    keys come from two narrow queries over all matching cases; only the page is loaded whole."""
    mine = Participant.objects.filter(user=user)
    if query.q:
        named = Participant.objects.filter(
            Q(display_name__icontains=query.q) | Q(user__email__icontains=query.q)
        ).values("case_id")
        mine = mine.filter(
            Q(case__title__icontains=query.q)
            | Q(case__reference__icontains=query.q)
            | Q(case_id__in=Subquery(named))
        )
    if query.state:
        mine = mine.filter(STATES[query.state][1])
    newest_first = mine.order_by("-case__created_at", "-pk")
    keys: list[Key] = list(newest_first.values_list("pk", "case_id", "role", "side_id"))
    cases = sorted({k[1] for k in keys})
    if query.sort == "next":
        starts = _next_starts(keys, cases)
        far = datetime.max.replace(tzinfo=UTC)
        keys.sort(key=lambda k: starts.get(k[0], far))  # stable: newest first among equals
    elif query.sort == "activity":
        latest = _last_activity(keys, cases)
        never = datetime.min.replace(tzinfo=UTC)
        keys.sort(key=lambda k: latest.get(k[0], never), reverse=True)
    start = (query.page - 1) * PAGE
    ids = [k[0] for k in keys[start : start + PAGE]]
    order = {pk: i for i, pk in enumerate(ids)}
    page = sorted(
        Participant.objects.filter(pk__in=ids).select_related("case", "side"),
        key=lambda p: order[p.pk],
    )
    return page, len(keys)


def my_rooms_of(participations: list[Participant]) -> dict[int, list[Room]]:
    """The rooms each participation may read, by the one policy (R3), in two queries."""
    signed = signed_participants(participations)
    by_case = {p.case_id: p for p in participations}
    rooms: dict[int, list[Room]] = {p.case_id: [] for p in participations}
    for room in Room.objects.filter(case_id__in=by_case).select_related("side").order_by("pk"):
        me = by_case[room.case_id]
        person = Person(me.pk, Role(me.role), me.side_id, me.pk in signed)
        if in_room(person, RoomRef(room.pk, RoomKind(room.kind), room.side_id)):
            rooms[room.case_id].append(room)
    return rooms


def dashboard_rows(user: User, query: Query, zone_name: str) -> dict[str, Any]:
    page, total = search(user, query)
    upcoming = next_sessions(page)
    rooms = my_rooms_of(page)
    unread = unread_counts(
        [p.pk for p in page], [r.pk for case_rooms in rooms.values() for r in case_rooms]
    )
    rows = []
    for p in page:
        room_rows: list[dict[str, Any]] = [
            {"room": r, "unread": unread[r.pk]} for r in rooms[p.case_id] if unread.get(r.pk)
        ]
        rows.append(
            {
                "p": p,
                "state": state_label(p.case.status, p.case.outcome),
                "next": session_payload(upcoming[p.case_id], p, zone_name)
                if p.case_id in upcoming
                else None,
                "unread": sum(int(r["unread"]) for r in room_rows),
                "unread_rooms": room_rows,
            }
        )
    pages = max(1, (total + PAGE - 1) // PAGE)
    return {"rows": rows, "total": total, "pages": pages, "query": query}
