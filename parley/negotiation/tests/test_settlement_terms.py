"""What a settlement may be drafted from (R4.3, R4.5, R3.5, R8.5): only terms every reader of
the settlement can already see. The settlement lives in the joint room, so a caucus offer
reaches it only through the mediator's share into the joint room, and only while its side
still allows disclosure."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from parley.cases.policy import Role
from parley.negotiation.tests.helpers import base, side_ids
from parley.testing import ActiveCast, Api, add_person

NOT_FOUND = {"code": "not_found", "detail": "Not found."}
FIGURE = "48,250.00"


def caucus_offer_accepted_by_alice(cast: ActiveCast) -> dict[str, Any]:
    """Bob gives a sum to the mediator in his caucus (may disclose); Maya shares it into
    Alice's caucus; Alice accepts it."""
    alice_side, bob_side = side_ids(cast)
    status, offer = Api(cast.bob).post(
        f"{base(cast)}/offers",
        {
            "room": cast.room("caucus_b").pk,
            "kind": "sum",
            "amount": "48250",
            "payer": bob_side,
            "payee": alice_side,
        },
    )
    assert status == 201, offer
    status, copy = Api(cast.maya).post(
        f"/cases/{cast.case.pk}/entries/{offer['entry']}/share",
        {"target_room": cast.room("caucus_a").pk},
    )
    assert status == 201, copy
    status, accepted = Api(cast.alice).post(f"{base(cast)}/offers/{offer['id']}/accept")
    assert (status, accepted["status"]) == (200, "accepted"), accepted
    return dict(offer)


def mark(cast: ActiveCast, entry_id: int, instruction: str) -> None:
    status, body = Api(cast.bob).post(
        f"/cases/{cast.case.pk}/entries/{entry_id}/instruction", {"instruction": instruction}
    )
    assert status == 200, body


def test_r4_3_a_settlement_is_not_drafted_from_a_caucus_offer_its_side_forbade_disclosing(
    active: ActiveCast,
) -> None:
    observer = add_person(active, "otto@example.com", "Otto Observer", Role.OBSERVER)
    offer = caucus_offer_accepted_by_alice(active)
    mark(active, offer["entry"], "do_not_disclose")
    assert Api(observer).get(f"{base(active)}/offers/{offer['id']}") == (404, NOT_FOUND)

    status, body = Api(active.maya).post(f"{base(active)}/settlement", {"offer": offer["id"]})
    assert (status, body["code"]) == (409, "disclosure_refused"), body
    assert FIGURE not in body["detail"]

    # Nothing reached the observer on any path.
    assert Api(observer).get(f"{base(active)}/settlement")[0] == 404
    status, overview = Api(observer).get(base(active))
    assert status == 200 and overview["settlement"] is None
    page = Client()
    page.force_login(observer)
    assert FIGURE.encode() not in page.get(f"/cases/{active.case.pk}/negotiate/").content
    assert FIGURE not in json.dumps(Api(observer).get(f"/cases/{active.case.pk}/export")[1])


def test_r4_5_a_caucus_offer_reaches_the_settlement_only_through_a_share_into_the_joint_room(
    active: ActiveCast,
) -> None:
    """May disclose, but shared only into Alice's caucus: drafting would be a disclosure to
    everyone in the joint room that no share ever made, so it is refused until the mediator
    shares the offer there (which checks the instruction at that moment)."""
    observer = add_person(active, "otto@example.com", "Otto Observer", Role.OBSERVER)
    offer = caucus_offer_accepted_by_alice(active)
    path = f"{base(active)}/settlement"
    status, body = Api(active.maya).post(path, {"offer": offer["id"]})
    assert (status, body["code"]) == (409, "terms_not_in_joint_room"), body

    status, _ = Api(active.maya).post(
        f"/cases/{active.case.pk}/entries/{offer['entry']}/share",
        {"target_room": active.room("joint").pk},
    )
    assert status == 201
    status, settlement = Api(active.maya).post(path, {"offer": offer["id"]})
    assert status == 201, settlement
    assert FIGURE in settlement["text"]
    status, seen = Api(observer).get(path)
    assert status == 200 and FIGURE in seen["text"]
    assert Api(observer).get(f"{base(active)}/offers/{offer['id']}")[0] == 200


def test_r4_2_the_instruction_at_drafting_time_counts_even_after_a_joint_room_share(
    active: ActiveCast,
) -> None:
    offer = caucus_offer_accepted_by_alice(active)
    Api(active.maya).post(
        f"/cases/{active.case.pk}/entries/{offer['entry']}/share",
        {"target_room": active.room("joint").pk},
    )
    mark(active, offer["entry"], "do_not_disclose")
    status, body = Api(active.maya).post(f"{base(active)}/settlement", {"offer": offer["id"]})
    assert (status, body["code"]) == (409, "disclosure_refused")
    mark(active, offer["entry"], "may_disclose")
    assert Api(active.maya).post(f"{base(active)}/settlement", {"offer": offer["id"]})[0] == 201


def test_r4_5_the_page_offers_drafting_only_from_terms_the_joint_room_can_see(
    active: ActiveCast,
) -> None:
    offer = caucus_offer_accepted_by_alice(active)
    page = Client()
    page.force_login(active.maya)
    html = page.get(f"/cases/{active.case.pk}/negotiate/").content.decode()
    assert "Share the offer into the joint room first" in html
    assert f'name="offer" value="{offer["id"]}"><button type="submit">Draft' not in html
    Api(active.maya).post(
        f"/cases/{active.case.pk}/entries/{offer['entry']}/share",
        {"target_room": active.room("joint").pk},
    )
    html = page.get(f"/cases/{active.case.pk}/negotiate/").content.decode()
    assert f'name="offer" value="{offer["id"]}"><button type="submit">Draft' in html


def test_r3_5_a_joint_room_counter_to_a_caucus_offer_does_not_point_at_it(
    active: ActiveCast,
) -> None:
    """Alice answers, in the joint room, an offer Bob gave in caucus: the observer reads a
    plain offer, with no reference to (or mention of) an offer they cannot see."""
    observer = add_person(active, "otto@example.com", "Otto Observer", Role.OBSERVER)
    alice_side, bob_side = side_ids(active)
    _, offer = Api(active.bob).post(
        f"{base(active)}/offers",
        {
            "room": active.room("caucus_b").pk,
            "kind": "sum",
            "amount": "100",
            "payer": bob_side,
            "payee": alice_side,
        },
    )
    Api(active.maya).post(
        f"/cases/{active.case.pk}/entries/{offer['entry']}/share",
        {"target_room": active.room("caucus_a").pk},
    )
    status, counter = Api(active.alice).post(
        f"{base(active)}/offers/{offer['id']}/counter",
        {
            "room": active.room("joint").pk,
            "kind": "sum",
            "amount": "900",
            "payer": bob_side,
            "payee": alice_side,
        },
    )
    assert status == 201, counter
    status, seen = Api(observer).get(f"{base(active)}/offers/{counter['id']}")
    assert status == 200 and seen["counter_to"] is None
    status, entry = Api(observer).get(f"/cases/{active.case.pk}/entries/{counter['entry']}")
    assert status == 200 and "Counter" not in entry["body"]
    assert (
        Api(active.alice).get(f"{base(active)}/offers/{counter['id']}")[1]["counter_to"]
        == (offer["id"])
    )
