"""The audit chain keeps double-blind bidding blind (R8.3, R9.1): a sealed figure is an event
only its own side can open. Everyone else (the other side, the mediator, an observer) sees an
opaque link they can verify but not read: not who bid, not which round, not that it was a bid."""

from __future__ import annotations

import json
from typing import Any

from parley.accounts.models import User
from parley.cases.policy import Role
from parley.negotiation.tests.helpers import base, side_ids
from parley.testing import ActiveCast, Api, add_person


def chain(cast: ActiveCast, user: User) -> list[dict[str, Any]]:
    status, links = Api(user).get(f"/cases/{cast.case.pk}/audit")
    assert status == 200, links
    return list(links)


def open_bidding(cast: ActiveCast) -> None:
    alice_side, bob_side = side_ids(cast)
    status, body = Api(cast.maya).post(
        f"{base(cast)}/bidding",
        {"payer": bob_side, "claimant": alice_side, "rounds": 2, "margin_value": "0"},
    )
    assert status == 201, body


def bid(cast: ActiveCast, user: User, amount: str) -> None:
    status, body = Api(user).post(f"{base(cast)}/bidding/bids", {"amount": amount})
    assert status == 201, body


def test_r8_3_the_audit_chain_does_not_tell_anyone_else_who_has_bid(active: ActiveCast) -> None:
    observer = add_person(active, "otto@example.com", "Otto Observer", Role.OBSERVER)
    open_bidding(active)
    others = (active.bob, active.maya, observer)
    before = {u.pk: chain(active, u) for u in others}

    bid(active, active.alice, "90000")  # Alice, the claimant, demands 90,000
    alice_id = active.participant(active.alice).pk
    for user in others:
        after = chain(active, user)
        assert after[: len(before[user.pk])] == before[user.pk]
        assert "bid_sealed" not in json.dumps(after)
        (new,) = after[len(before[user.pk]) :]
        assert new["opening"] is None, (user, new)
        assert f'"actor_id": {alice_id}' not in json.dumps(after[len(before[user.pk]) :])
    # Alice's own side can open it.
    for user in (active.alice, active.carol):
        last = chain(active, user)[-1]
        assert last["opening"]["record"]["kind"] == "bid_sealed"
        assert last["opening"]["record"]["actor_id"] == alice_id

    # After a failed round, Bob sees his own bid and the failure, never Alice's bid.
    bid(active, active.bob, "10")
    seen_by_bob = chain(active, active.bob)
    opened = [link["opening"]["record"] for link in seen_by_bob if link["opening"]]
    bids = [r for r in opened if r["kind"] == "bid_sealed"]
    assert [r["actor_id"] for r in bids] == [active.participant(active.bob).pk]
    assert "bidding_round_failed" in [r["kind"] for r in opened]
    for user in (active.maya, observer):
        assert "bid_sealed" not in json.dumps(chain(active, user))
