"""The dashboard of a mediator with many cases: search, filter by state, sort by next session
or last activity, unread counts per case and room that survive a reload, and a number of
queries that does not grow with the number of cases."""

from __future__ import annotations

import re
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parley.cases.actions import do_create_case
from parley.meetings.actions import do_schedule_session
from parley.meetings.policy import SessionKind
from parley.rooms.actions import do_post_entry
from parley.testing import ActiveCast, Cast


def page_of(user: object, query: str = "") -> str:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client.get(f"/{query}").content.decode()


def titles(html: str) -> list[str]:
    return re.findall(r'<li class="card case-row[^>]*><a href="/cases/\d+/">([^<]+)</a>', html)


def test_search_by_title_reference_or_participant_and_filter_by_state(active: ActiveCast) -> None:
    do_create_case(acting_user=active.maya, title="Gardner lease dispute", reference="LEASE-9")
    assert titles(page_of(active.maya, "?q=brightline")) == ["Alvarez v. Brightline"]
    assert titles(page_of(active.maya, "?q=lease-9")) == ["Gardner lease dispute"]
    assert titles(page_of(active.maya, "?q=carol")) == ["Alvarez v. Brightline"]
    assert titles(page_of(active.maya, "?state=draft")) == ["Gardner lease dispute"]
    assert titles(page_of(active.maya, "?state=active")) == ["Alvarez v. Brightline"]
    assert titles(page_of(active.maya, "?state=settled")) == []
    assert "No case matches" in page_of(active.maya, "?q=nothing-like-this")
    # Bob finds only his own cases, whatever he types.
    assert titles(page_of(active.bob, "?q=gardner")) == []


def test_sort_by_next_session_or_last_activity(active: ActiveCast) -> None:
    other = do_create_case(acting_user=active.maya, title="Zeta v. Omega")
    now = timezone.now()
    do_schedule_session(
        acting_user=active.maya,
        case_id=other.pk,
        kind=SessionKind.JOINT,
        side_id=None,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=1),
        time_zone="UTC",
    )
    do_schedule_session(
        acting_user=active.maya,
        case_id=active.case.pk,
        kind=SessionKind.JOINT,
        side_id=None,
        starts_at=now + timedelta(days=5),
        ends_at=now + timedelta(days=5, hours=1),
        time_zone="UTC",
    )
    assert titles(page_of(active.maya, "?sort=next")) == ["Zeta v. Omega", "Alvarez v. Brightline"]
    do_post_entry(
        acting_user=active.bob, case_id=active.case.pk, room_id=active.room("joint").pk, body="hi"
    )
    assert titles(page_of(active.maya, "?sort=activity")) == [
        "Alvarez v. Brightline",
        "Zeta v. Omega",
    ]


def test_unread_counts_per_case_and_room_survive_a_reload(active: ActiveCast) -> None:
    for body in ("one", "two"):
        do_post_entry(
            acting_user=active.bob,
            case_id=active.case.pk,
            room_id=active.room("joint").pk,
            body=body,
        )
    do_post_entry(
        acting_user=active.bob, case_id=active.case.pk, room_id=active.room("caucus_b").pk, body="x"
    )
    maya = page_of(active.maya)
    assert "3 new" in maya and "Joint room: 2 new" in maya and "Caucus: Bob: 1 new" in maya
    alice = page_of(active.alice)  # Bob's caucus is not hers to count
    assert "2 new" in alice and "Caucus" not in alice.split("rooms-unread")[1].split("</span>")[0]
    client = Client()
    client.force_login(active.maya)
    room = client.get(f"/cases/{active.case.pk}/rooms/{active.room('joint').pk}/").content.decode()
    assert "Caucus: Bob (1 new)" in re.sub(r"<[^>]+>", "", room)
    after = page_of(active.maya)  # a reload: the joint room is read, the caucus is not
    assert "Joint room:" not in after and "Caucus: Bob: 1 new" in after


def test_the_dashboard_runs_the_same_number_of_queries_for_3_or_30_cases(cast: Cast) -> None:
    def count() -> int:
        client = Client()
        client.force_login(cast.maya)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/?sort=next").status_code == 200
        return len(queries)

    for i in range(3):
        do_create_case(acting_user=cast.maya, title=f"Case {i}")
    few = count()
    for i in range(27):
        do_create_case(acting_user=cast.maya, title=f"More {i}")
    assert count() == few
