"""Offers (R8.1, R8.2, R6.2, R7.5, R4.3) through the API, as every member of the cast."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from parley.audit.actions import verify_case
from parley.audit.models import AuditEvent
from parley.negotiation.tests.helpers import EventTap, base, side_ids
from parley.testing import ActiveCast, Api

NOT_FOUND = {"code": "not_found", "detail": "Not found."}


def offer(
    cast: ActiveCast, who: Any, room: str = "joint", amount: str = "12000", **extra: Any
) -> Any:
    alice_side, bob_side = side_ids(cast)
    data = {
        "room": cast.room(room).pk,
        "kind": "sum",
        "amount": amount,
        "payer": bob_side,
        "payee": alice_side,
        **extra,
    }
    return Api(who).post(f"{base(cast)}/offers", data)


def test_r8_1_a_party_offers_a_sum_in_the_joint_room_and_everyone_sees_it(
    active: ActiveCast,
) -> None:
    status, body = offer(active, active.bob)
    assert status == 201, body
    assert body["terms"] == ["Bob pays Alice the sum of €12,000.00."]
    assert body["status"] == "open"
    for user in (active.maya, active.alice, active.carol):
        status, rows = Api(user).get(f"{base(active)}/offers")
        assert [r["id"] for r in rows] == [body["id"]]
    assert Api(active.olga).get(f"{base(active)}/offers/{body['id']}") == (404, NOT_FOUND)
    # It is an entry of the joint room, like every other content.
    joint = active.room("joint").pk
    _, entries = Api(active.alice).get(f"/cases/{active.case.pk}/rooms/{joint}/entries")
    assert entries[-1]["kind"] == "offer"


def test_r8_2_accepted_when_every_other_party_accepts(active: ActiveCast) -> None:
    _, made = offer(active, active.bob)
    path = f"{base(active)}/offers/{made['id']}"
    assert Api(active.maya).post(f"{path}/accept")[1]["code"] == "mediator_never_decides"
    assert Api(active.carol).post(f"{path}/accept")[1]["code"] == "party_only"
    assert Api(active.bob).post(f"{path}/accept")[1]["code"] == "own_offer"
    assert Api(active.olga).post(f"{path}/accept") == (404, NOT_FOUND)
    status, body = Api(active.alice).post(f"{path}/accept")
    assert (status, body["status"]) == (200, "accepted")
    assert body["answers"] == [
        {"side": side_ids(active)[0], "side_label": "Alice", "answer": "accept"}
    ]
    assert Api(active.alice).post(f"{path}/reject")[1]["code"] == "offer_closed"
    kinds = list(AuditEvent.objects.filter(case=active.case).values_list("kind", flat=True))
    assert kinds[-2:] == ["offer_answered", "offer_accepted"]
    assert verify_case(active.case).ok


def test_r8_2_rejected_countered_and_withdrawn(active: ActiveCast) -> None:
    _, first = offer(active, active.bob, amount="5000")
    status, rejected = Api(active.alice).post(f"{base(active)}/offers/{first['id']}/reject")
    assert rejected["status"] == "rejected"
    _, second = offer(active, active.bob, amount="6000")
    alice_side, bob_side = side_ids(active)
    status, counter = Api(active.carol).post(
        f"{base(active)}/offers/{second['id']}/counter",
        {
            "room": active.room("joint").pk,
            "kind": "sum",
            "amount": "9000",
            "payer": bob_side,
            "payee": alice_side,
        },
    )
    assert status == 201, counter
    assert counter["counter_to"] == second["id"]
    assert Api(active.bob).get(f"{base(active)}/offers/{second['id']}")[1]["status"] == "countered"
    assert Api(active.alice).post(f"{base(active)}/offers/{counter['id']}/withdraw")[1][
        "status"
    ] == ("withdrawn")
    assert Api(active.bob).post(f"{base(active)}/offers/{counter['id']}/accept")[1]["code"] == (
        "offer_closed"
    )


def test_r8_2_an_offer_left_past_its_expiry_expires(active: ActiveCast) -> None:
    soon = timezone.now() + timedelta(minutes=5)
    _, made = offer(active, active.bob, expires_at=soon.isoformat())
    from parley.negotiation.models import Offer

    Offer.objects.filter(pk=made["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Api(active.alice).get(f"{base(active)}/offers/{made['id']}")[1]["status"] == "expired"
    status, body = Api(active.alice).post(f"{base(active)}/offers/{made['id']}/accept")
    assert (status, body["code"]) == (409, "offer_expired")
    assert Offer.objects.get(pk=made["id"]).status == "expired"  # recorded, and audited
    assert AuditEvent.objects.filter(case=active.case, kind="offer_expired").exists()
    past = timezone.now() - timedelta(minutes=1)
    assert offer(active, active.bob, expires_at=past.isoformat())[1]["code"] == "bad_expiry"


def test_r8_1_an_offer_given_in_caucus_reaches_the_other_side_only_when_conveyed(
    active: ActiveCast, tap: EventTap
) -> None:
    status, made = tap.run(lambda: offer(active, active.alice, room="caucus_a", amount="20000"))
    assert status == 201, made
    events = tap.drain()
    bob = active.participant(active.bob).pk
    assert all("20,000" not in str(e) for e in events[bob])
    for user in (active.bob, active.olga):
        assert Api(user).get(f"{base(active)}/offers/{made['id']}") == (404, NOT_FOUND)
    assert Api(active.bob).post(f"{base(active)}/offers/{made['id']}/accept") == (404, NOT_FOUND)
    # R4.3: Alice says do not disclose; the mediator cannot convey it.
    path = f"/cases/{active.case.pk}/entries/{made['entry']}"
    Api(active.alice).post(f"{path}/instruction", {"instruction": "do_not_disclose"})
    status, body = Api(active.maya).post(f"{path}/share", {"target_room": active.room("joint").pk})
    assert (status, body["code"]) == (409, "disclosure_refused")
    Api(active.alice).post(f"{path}/instruction", {"instruction": "may_disclose"})
    status, _ = Api(active.maya).post(f"{path}/share", {"target_room": active.room("joint").pk})
    assert status == 201
    # Bob sees the conveyed offer and accepts it through the shared copy.
    status, seen = Api(active.bob).get(f"{base(active)}/offers/{made['id']}")
    assert status == 200 and seen["can_answer"] is True
    status, body = Api(active.bob).post(f"{base(active)}/offers/{made['id']}/accept")
    assert (status, body["status"]) == (200, "accepted")


def test_r8_1_offers_are_made_only_by_a_side_and_only_where_allowed(active: ActiveCast) -> None:
    assert offer(active, active.maya)[1]["code"] == "not_allowed"
    assert offer(active, active.bob, room="caucus_a") == (404, NOT_FOUND)
    assert offer(active, active.alice, room="counsel_a")[1]["code"] == "bad_room"
    assert offer(active, active.olga) == (404, NOT_FOUND)
    assert offer(active, active.alice, amount="-3")[1]["code"] == "bad_amount"


def test_r7_5_offers_close_when_the_mediation_ends(active: ActiveCast) -> None:
    _, made = offer(active, active.bob)
    Api(active.maya).post(f"/cases/{active.case.pk}/terminate", {})
    assert Api(active.alice).get(f"{base(active)}/offers/{made['id']}")[1]["status"] == "closed"
    assert Api(active.alice).post(f"{base(active)}/offers/{made['id']}/accept")[1]["code"] == (
        "case_terminated"
    )
    assert offer(active, active.bob)[1]["code"] == "case_terminated"
