"""No list grows its queries with its rows: every list endpoint and every page that lists things
runs the same number of queries after more entries, offers, answers, ratings, invitations,
sessions, instruction changes and audit events exist."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parley.accounts.models import User
from parley.cases.actions import do_invite
from parley.cases.policy import Role
from parley.rooms.actions import do_change_instruction, do_post_entry
from parley.rooms.policy import Instruction
from parley.testing import ActiveCast, Api, Cast

ISSUES = {
    "kind": "issues",
    "issues": [
        {"title": "Price", "options": ["low", "high"]},
        {"title": "Date", "options": ["May", "June"]},
    ],
}


def queries(fn: Callable[[], Any]) -> int:
    fn()  # caches that fill once per process are not the list's cost
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def grow(cast: ActiveCast, n: int) -> None:
    """`n` more of every kind of row a list shows."""
    case = cast.case
    assert case is not None
    neg = f"/cases/{case.pk}/negotiation"
    sides = list(case.sides.order_by("position").values_list("pk", flat=True))
    for i in range(n):
        for user, room in [
            (cast.alice, "joint"),
            (cast.bob, "joint"),
            (cast.maya, "joint"),
            (cast.alice, "caucus_a"),
            (cast.carol, "counsel_a"),
        ]:
            entry = do_post_entry(
                acting_user=user, case_id=case.pk, room_id=cast.room(room).pk, body=f"{room} {i}"
            )
        caucus = do_post_entry(
            acting_user=cast.alice, case_id=case.pk, room_id=cast.room("caucus_a").pk, body="c"
        )
        do_change_instruction(
            acting_user=cast.carol,
            case_id=case.pk,
            entry_id=caucus.pk,
            instruction=Instruction.DO_NOT_DISCLOSE,
        )
        status, offer = Api(cast.bob).post(
            f"{neg}/offers",
            {
                "room": cast.room("joint").pk,
                "kind": "sum",
                "amount": str(1000 + i),
                "payer": sides[1],
                "payee": sides[0],
            },
        )
        assert status == 201, offer
        Api(cast.alice).post(f"{neg}/offers/{offer['id']}/reject")
        # A bidding that fails its one round (nothing revealed), then the next one may start.
        started = Api(cast.maya).post(
            f"{neg}/bidding",
            {"payer": sides[1], "claimant": sides[0], "rounds": 1, "margin_value": "0"},
        )
        assert started[0] == 201, started
        assert Api(cast.bob).post(f"{neg}/bidding/bids", {"amount": "1"})[0] == 201
        assert Api(cast.alice).post(f"{neg}/bidding/bids", {"amount": "90000"})[0] == 201
        Api(cast.alice).put(f"{neg}/ratings", {"weights": [60, 40], "scores": [[0, 100], [100, 0]]})
        do_invite(
            acting_user=cast.maya,
            case_id=case.pk,
            email=f"observer{i}-{entry.pk}@example.test",
            display_name=f"Observer {i}",
            role=Role.OBSERVER,
            send_mail=False,
        )
        start = timezone.now() + timedelta(days=10 + i)
        status, session = Api(cast.maya).post(
            f"/cases/{case.pk}/sessions",
            {
                "kind": "joint",
                "start": start.strftime("%Y-%m-%dT%H:%M"),
                "end": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                "time_zone": "UTC",
            },
        )
        assert status == 201, session
        status, poll = Api(cast.maya).post(
            f"/cases/{case.pk}/polls",
            {
                "kind": "joint",
                "time_zone": "UTC",
                "slots": [
                    {
                        "start": (start + timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M"),
                        "end": (start + timedelta(hours=h + 1)).strftime("%Y-%m-%dT%H:%M"),
                    }
                    for h in (2, 4)
                ],
            },
        )
        assert status == 201, poll
        answers = {str(slot["id"]): "yes" for slot in poll["slots"]}
        status, answered = Api(cast.alice).post(
            f"/cases/{case.pk}/polls/{poll['id']}/answers", {"answers": answers}
        )
        assert status == 200, answered
        for user in (cast.alice, cast.maya):
            status, token = Api(user).post("/tokens", {"name": f"script {i}", "scope": "read"})
            assert status == 201, token


def api(user: User, path: str) -> Callable[[], Any]:
    client = Api(user)

    def get() -> Any:
        status, body = client.get(path)
        assert status == 200, (path, body)
        return body

    return get


def page(user: User, path: str) -> Callable[[], Any]:
    client = Api(user).client

    def get() -> Any:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response

    return get


def targets(cast: ActiveCast) -> dict[str, Callable[[], Any]]:
    case = cast.case
    assert case is not None
    c, joint, caucus = case.pk, cast.room("joint").pk, cast.room("caucus_a").pk
    operator = User.objects.get_or_create(
        email="operator@example.com", defaults={"full_name": "Otto Operator", "is_staff": True}
    )[0]
    first_caucus = case.entries.filter(room_id=caucus).order_by("pk").first()
    assert first_caucus is not None
    return {
        "api: my cases": api(cast.maya, "/cases"),
        "api: a case": api(cast.alice, f"/cases/{c}"),
        "api: invitations": api(cast.maya, f"/cases/{c}/invitations"),
        "api: export": api(cast.alice, f"/cases/{c}/export"),
        "api: report": api(cast.maya, f"/cases/{c}/report"),
        "api: agreement": api(cast.alice, f"/cases/{c}/agreement"),
        "api: joint entries": api(cast.alice, f"/cases/{c}/rooms/{joint}/entries"),
        "api: caucus entries (mediator)": api(cast.maya, f"/cases/{c}/rooms/{caucus}/entries"),
        "api: instruction history": api(
            cast.alice, f"/cases/{c}/entries/{first_caucus.pk}/instruction-history"
        ),
        "api: audit": api(cast.bob, f"/cases/{c}/audit"),
        "api: negotiation": api(cast.alice, f"/cases/{c}/negotiation"),
        "api: offers": api(cast.alice, f"/cases/{c}/negotiation/offers"),
        "api: ratings": api(cast.alice, f"/cases/{c}/negotiation/ratings"),
        "api: biddings": api(cast.bob, f"/cases/{c}/negotiation/bidding"),
        "api: sessions": api(cast.alice, f"/cases/{c}/sessions"),
        "page: dashboard": page(cast.maya, "/"),
        "page: sessions": page(cast.alice, f"/cases/{c}/sessions/"),
        "page: set-up": page(cast.maya, f"/cases/{c}/setup/"),
        "page: joint room": page(cast.alice, f"/cases/{c}/rooms/{joint}/"),
        "page: caucus (mediator)": page(cast.maya, f"/cases/{c}/rooms/{caucus}/"),
        "page: entries since": page(cast.alice, f"/cases/{c}/rooms/{joint}/entries/?after=0"),
        "page: people": page(cast.alice, f"/cases/{c}/people/"),
        "page: negotiation": page(cast.alice, f"/cases/{c}/negotiate/"),
        "api: tokens": api(cast.alice, "/tokens"),
        "api: polls": api(cast.alice, f"/cases/{c}/polls"),
        "api: schedule": api(cast.maya, f"/cases/{c}/schedule"),
        "api: exports": api(cast.alice, f"/cases/{c}/exports"),
        "api: operator accounts": api(operator, "/operator/accounts"),
        "api: operator cases": api(operator, "/operator/cases"),
        "page: tokens": page(cast.alice, "/account/tokens/"),
        "page: calendar": page(cast.alice, "/calendar/"),
        "page: record": page(cast.alice, f"/cases/{c}/record/"),
        "page: court report": page(cast.maya, f"/cases/{c}/report/"),
        "page: operator accounts": page(operator, "/operator/"),
        "page: operator cases": page(operator, "/operator/cases/"),
    }


@pytest.fixture
def negotiating(active: ActiveCast) -> Cast:
    assert Api(active.maya).put(f"/cases/{active.case.pk}/negotiation/issues", ISSUES)[0] == 200
    grow(active, 1)
    return active


def test_every_list_runs_as_many_queries_for_many_rows_as_for_few(negotiating: ActiveCast) -> None:
    before = {name: queries(fn) for name, fn in targets(negotiating).items()}
    grow(negotiating, 3)
    after = {name: queries(fn) for name, fn in targets(negotiating).items()}
    assert after == before


def test_the_counting_catches_a_query_per_row(negotiating: ActiveCast) -> None:
    """The check above would notice an N+1: here is one, counted."""
    case = negotiating.case
    assert case is not None

    def n_plus_one() -> list[int]:
        return [e.room.pk for e in case.entries.all()]

    before = queries(n_plus_one)
    grow(negotiating, 1)
    assert queries(n_plus_one) > before
