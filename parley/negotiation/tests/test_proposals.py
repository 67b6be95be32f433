"""Issues, private ratings and the mediator's proposals (R8.4), through the API."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from parley.negotiation.tests.helpers import EventTap, ask_engine, base, side_ids
from parley.rooms.models import Entry
from parley.testing import ActiveCast, Api

NOT_FOUND = {"code": "not_found", "detail": "Not found."}
ISSUES = {
    "kind": "issues",
    "issues": [
        {"title": "Payment", "options": ["5,000 now", "8,000 over a year"]},
        {"title": "Apology", "options": ["Written apology", "No apology"]},
        {"title": "Reference letter", "options": ["Yes", "No"]},
    ],
}
Capture = Callable[..., AbstractContextManager[Any]]
# Alice cares about the money; Bob about not apologising.
ALICE = {"weights": [71, 11, 18], "scores": [[37, 100], [100, 0], [100, 0]]}
BOB = {"weights": [23, 61, 16], "scores": [[100, 0], [0, 100], [0, 100]]}


def rate_both(cast: ActiveCast, alice: dict[str, Any] = ALICE, bob: dict[str, Any] = BOB) -> None:
    assert Api(cast.maya).put(f"{base(cast)}/issues", ISSUES)[0] == 200
    status, body = Api(cast.alice).put(f"{base(cast)}/ratings", alice)
    assert status == 200, body
    assert Api(cast.bob).put(f"{base(cast)}/ratings", bob)[0] == 200


def test_r8_4_ratings_are_caucus_content_of_their_side(active: ActiveCast, tap: EventTap) -> None:
    tap.run(lambda: rate_both(active))
    for user, sides in (
        (active.alice, [side_ids(active)[0]]),
        (active.carol, [side_ids(active)[0]]),
        (active.bob, [side_ids(active)[1]]),
        (active.maya, list(side_ids(active))),
    ):
        _, rows = Api(user).get(f"{base(active)}/ratings")
        assert [r["side"] for r in rows] == sides
    assert Api(active.olga).get(f"{base(active)}/ratings") == (404, NOT_FOUND)
    # Bob's view of everything never holds Alice's figures, and the events neither.
    alice_weights = json.dumps(ALICE["weights"])
    _, overview = Api(active.bob).get(base(active))
    assert alice_weights not in json.dumps(overview)
    bob = active.participant(active.bob).pk
    events = tap.drain()
    assert alice_weights not in json.dumps(events[bob])
    assert [e["type"] for e in events[bob]].count("ratings") == 1  # its own side's only
    # The rating entry sits in the caucus, marked do-not-disclose, and holds no figure.
    entry = Entry.objects.get(kind="rating", room=active.room("caucus_a"))
    assert entry.instruction == "do_not_disclose"
    assert "71" not in entry.body


def test_r8_4_ratings_must_spread_100_points(active: ActiveCast) -> None:
    Api(active.maya).put(f"{base(active)}/issues", ISSUES)
    bad = {"weights": [50, 10, 10], "scores": ALICE["scores"]}
    assert Api(active.alice).put(f"{base(active)}/ratings", bad)[1]["code"] == "bad_ratings"
    assert Api(active.maya).put(f"{base(active)}/ratings", ALICE)[1]["code"] == "not_allowed"


def test_r8_4_only_the_mediator_sets_issues_and_asks_the_engine(active: ActiveCast) -> None:
    assert Api(active.alice).put(f"{base(active)}/issues", ISSUES)[1]["code"] == "mediator_only"
    rate_both(active)
    status, body = Api(active.alice).post(f"{base(active)}/suggest", {"method": "nash"})
    assert (status, body["code"]) == (403, "mediator_only")
    assert Api(active.olga).post(f"{base(active)}/suggest", {"method": "nash"}) == (
        404,
        NOT_FOUND,
    )


def test_r8_4_the_engine_waits_for_every_side(active: ActiveCast) -> None:
    Api(active.maya).put(f"{base(active)}/issues", ISSUES)
    Api(active.alice).put(f"{base(active)}/ratings", ALICE)
    status, body = Api(active.maya).post(f"{base(active)}/suggest", {"method": "nash"})
    assert (status, body["code"]) == (409, "ratings_missing")
    assert "Bob" in body["detail"]


def test_r8_4_a_presented_proposal_reveals_no_ones_ratings(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    rate_both(active)
    status, job = ask_engine(active, django_capture_on_commit_callbacks, {"method": "nash"})
    assert (status, job["status"]) == (200, "done"), job
    suggestion = job["suggestion"]
    assert suggestion["certainty"] == "certified"
    # Money for Alice, no apology for Bob; the reference letter follows the heavier weight.
    assert suggestion["terms"][:2] == ["Payment: 8,000 over a year", "Apology: No apology"]
    status, proposal = Api(active.maya).post(
        f"{base(active)}/proposals",
        {"package": suggestion["package"], "method": "Nash bargaining"},
    )
    assert status == 201, proposal
    joint = active.room("joint").pk
    entry = Entry.objects.get(pk=proposal["entry"])
    assert entry.room_id == joint and entry.kind == "proposal"
    for figure in ("71", "61", "37", "utilit"):
        assert figure not in entry.body
    assert "utilit" not in json.dumps(proposal)
    # Every party answers; counsel and the mediator cannot.
    path = f"{base(active)}/offers/{proposal['id']}"
    assert Api(active.maya).post(f"{path}/accept")[1]["code"] == "mediator_never_decides"
    assert Api(active.alice).post(f"{path}/accept")[1]["status"] == "open"
    assert Api(active.bob).post(f"{path}/accept")[1]["status"] == "accepted"


def test_r8_4_items_are_divided_by_adjusted_winner(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    items = {"kind": "items", "issues": [{"title": "House"}, {"title": "Car"}, {"title": "Boat"}]}
    assert Api(active.maya).put(f"{base(active)}/issues", items)[0] == 200
    Api(active.alice).put(f"{base(active)}/ratings", {"points": [60, 30, 10]})
    Api(active.bob).put(f"{base(active)}/ratings", {"points": [40, 20, 40]})
    status, job = ask_engine(
        active, django_capture_on_commit_callbacks, {"method": "adjusted_winner"}
    )
    assert status == 200, job
    suggestion = job["suggestion"]
    assert len(suggestion["shares"]) == 3
    status, proposal = Api(active.maya).post(
        f"{base(active)}/proposals",
        {"shares": suggestion["shares"], "method": "Adjusted Winner"},
    )
    assert status == 201, proposal
    assert proposal["kind"] == "allocation"
    assert any("Boat: goes to Bob" in t for t in proposal["terms"])
    status, job = ask_engine(
        active, django_capture_on_commit_callbacks, {"method": "max_nash_welfare"}
    )
    mnw = job["suggestion"]
    assert status == 200 and mnw["found"]
    # Small enough to prove: optimal, envy-free up to one item, gap 0.
    assert (mnw["certainty"], mnw["ef1"], mnw["gap_percent"]) == ("certified", True, 0.0)


def test_r8_4_a_rating_entry_is_never_shared(active: ActiveCast) -> None:
    Api(active.maya).put(f"{base(active)}/issues", ISSUES)
    status, rating = Api(active.alice).put(f"{base(active)}/ratings", ALICE)
    path = f"/cases/{active.case.pk}/entries/{rating['entry']}"
    # Even if the side flips the instruction, the mediator cannot share a rating.
    Api(active.alice).post(f"{path}/instruction", {"instruction": "may_disclose"})
    status, body = Api(active.maya).post(f"{path}/share", {"target_room": active.room("joint").pk})
    assert (status, body["code"]) == (409, "not_shareable")
