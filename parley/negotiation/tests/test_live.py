"""The negotiation tab is live on the case's socket: offers reach exactly the people the
negotiation policy lets read them (R3.6, R8.1), and the page's regions, fetched after an event,
show an offer's terms, note, conditions and where it was made."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test import Client

from parley.negotiation.actions import do_make_offer
from parley.negotiation.models import Offer
from parley.negotiation.policy import OfferKind
from parley.negotiation.tests.helpers import side_ids
from parley.rooms.policy import Instruction
from parley.testing import ActiveCast, build_case, make_cast, open_socket

NOTE = "Paid within 30 days, marker-n0te"
CONDITIONS = "Bob withdraws the complaint, marker-c0nd"


async def drain(comm: WebsocketCommunicator) -> list[dict[str, Any]]:
    events = []
    while not await comm.receive_nothing(timeout=0.5):
        events.append(await comm.receive_json_from())
    return events


async def sockets(cast: ActiveCast) -> dict[str, WebsocketCommunicator]:
    socks = {}
    for name in ("maya", "alice", "bob", "carol"):
        comm, connected, _ = await open_socket(getattr(cast, name), cast.case.pk)
        assert connected
        socks[name] = comm
    for comm in socks.values():
        await drain(comm)
    return socks


def offer(cast: ActiveCast, room: str, amount: str, **extra: Any) -> Offer:
    alice_side, bob_side = side_ids(cast)
    return do_make_offer(
        acting_user=cast.alice,
        case_id=cast.case.pk,
        room_id=cast.room(room).pk,
        kind=OfferKind.SUM,
        amount=amount,
        payer_side_id=alice_side,
        payee_side_id=bob_side,
        **extra,
    )


def negotiation_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] not in ("presence", "hello", "pong")]


@pytest.mark.django_db(transaction=True)
async def test_r3_6_a_caucus_offer_never_reaches_the_other_sides_socket() -> None:
    cast = await sync_to_async(lambda: build_case(make_cast(), stage="active"))()
    socks = await sockets(cast)
    made = await sync_to_async(offer)(
        cast,
        "caucus_a",
        "20000",
        note=NOTE,
        instruction=Instruction.DO_NOT_DISCLOSE,
    )
    for name in ("alice", "carol", "maya"):
        events = negotiation_events(await drain(socks[name]))
        assert {"type": "offer", "offer": made.pk} in [
            {"type": e["type"], "offer": e.get("offer")} for e in events
        ], name
    # Nothing at all reaches Bob: no offer event, no entry, no hint that something happened.
    assert negotiation_events(await drain(socks["bob"])) == []
    # A joint offer does reach him.
    joint = await sync_to_async(offer)(cast, "joint", "15000", note=NOTE)
    bob_events = negotiation_events(await drain(socks["bob"]))
    assert joint.pk in [e.get("offer") for e in bob_events if e["type"] == "offer"]
    for comm in socks.values():
        await comm.disconnect()


def page(user: Any, cast: ActiveCast, tail: str = "") -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/cases/{cast.case.pk}/negotiate/{tail}")
    assert response.status_code == 200
    return response.content.decode()


def test_r8_1_the_other_side_sees_the_note_and_conditions_where_it_answers(
    active: ActiveCast,
) -> None:
    made = offer(active, "joint", "3300", note=NOTE, conditions=CONDITIONS)
    html = page(active.bob, active, "live/")
    item = html[html.index(f'id="offer-{made.pk}"') :]
    item = item[: item.index("\n    </li>")]
    assert NOTE in item and CONDITIONS in item
    assert "Made in the joint room" in item
    assert ">Accept</button>" in item and ">Reject</button>" in item
    assert "Counter" in item


def test_r8_1_a_caucus_offer_says_where_it_is_and_its_disclosure_choice(active: ActiveCast) -> None:
    made = offer(active, "caucus_a", "20000", note=NOTE, instruction=Instruction.DO_NOT_DISCLOSE)
    alice = page(active.alice, active)
    assert "Given to the mediator in your caucus" in alice
    assert "The mediator may not pass it on." in alice
    maya = page(active.maya, active)
    assert f'id="offer-{made.pk}"' in maya and NOTE in maya
    bob = page(active.bob, active)
    assert f'id="offer-{made.pk}"' not in bob and NOTE not in bob
    # The form offers the disclosure choice for an offer given to the mediator.
    assert 'name="instruction" value="do_not_disclose"' in alice


def test_r11_3_an_offers_note_and_conditions_are_ciphertext_in_the_columns(
    active: ActiveCast,
) -> None:
    made = offer(active, "joint", "3300", note=NOTE, conditions=CONDITIONS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT note, conditions FROM negotiation_offer WHERE id = %s", [made.pk])
        note, conditions = cursor.fetchone()
    assert note.startswith("v1:") and conditions.startswith("v1:")
    assert "marker" not in note + conditions
    fresh = Offer.objects.get(pk=made.pk)
    assert (fresh.note, fresh.conditions) == (NOTE, CONDITIONS)


def test_r8_2_a_party_counters_from_the_page(active: ActiveCast) -> None:
    alice_side, bob_side = side_ids(active)
    made = offer(active, "joint", "3300")
    bob = Client()
    bob.force_login(active.bob)
    response = bob.post(
        f"/cases/{active.case.pk}/negotiate/counter/",
        {
            "counter_to": made.pk,
            "kind": "sum",
            "direction": f"{alice_side}:{bob_side}",
            "amount": "4,100",
            "where": "joint",
            "note": "Meet me halfway",
        },
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.status == "countered"
    counter = Offer.objects.get(counter_to=made)
    assert (counter.amount, counter.note) == (4100, "Meet me halfway")
    assert "Counter-offer from Bob" in page(active.alice, active)


def test_r8_3_the_bidding_form_works_with_its_defaults(active: ActiveCast) -> None:
    """The first direction offered is a real one (never payer = claimant)."""
    html = page(active.maya, active)
    select = html[html.index('id="bid-direction"') :]
    first = select[select.index('value="') + 7 :]
    value = first[: first.index('"')]
    payer, claimant = value.split(":")
    assert payer != claimant
    maya = Client()
    maya.force_login(active.maya)
    maya.post(
        f"/cases/{active.case.pk}/negotiate/bidding/",
        {
            "direction": value,
            "rounds": "3",
            "margin_kind": "percent",
            "margin_value": "30",
            "margin_fixed": "0",
        },
    )
    assert active.case.biddings.get().status == "open"
    bob_page = page(active.bob, active)
    alice_page = page(active.alice, active)
    payer_page, claimant_page = (
        (alice_page, bob_page) if int(payer) == side_ids(active)[0] else (bob_page, alice_page)
    )
    assert "The most your side would pay" in payer_page
    assert "The least your side would accept" in claimant_page


def test_an_offers_expiry_is_typed_and_shown_in_each_readers_zone(active: ActiveCast) -> None:
    alice_side, bob_side = side_ids(active)
    active.alice.time_zone = "Europe/Berlin"
    active.alice.save(update_fields=["time_zone"])
    alice = Client()
    alice.force_login(active.alice)
    assert (
        "your time, Europe/Berlin"
        in alice.get(f"/cases/{active.case.pk}/negotiate/").content.decode()
    )
    alice.post(
        f"/cases/{active.case.pk}/negotiate/offer/",
        {
            "kind": "sum",
            "direction": f"{alice_side}:{bob_side}",
            "amount": "3300",
            "where": "joint",
            "expires_at": "2030-01-02T10:00",
        },
    )
    made = Offer.objects.get()
    assert (
        made.expires_at is not None and made.expires_at.isoformat() == "2030-01-02T09:00:00+00:00"
    )
    assert "Wed 2 Jan 2030, 09:00 (UTC)" in page(active.bob, active)
    assert "Wed 2 Jan 2030, 10:00 (Europe/Berlin)" in page(active.alice, active)


def test_the_live_regions_cost_the_same_queries_however_many_offers(active: ActiveCast) -> None:
    """Each event makes every open page fetch its regions: no query per offer or counter."""
    from django.test.utils import CaptureQueriesContext

    alice_side, bob_side = side_ids(active)
    bob = Client()
    bob.force_login(active.bob)

    def exchange() -> None:
        first = offer(active, "joint", "3300", note=NOTE, conditions=CONDITIONS)
        do_make_offer(
            acting_user=active.bob,
            case_id=active.case.pk,
            room_id=active.room("joint").pk,
            kind=OfferKind.SUM,
            amount="4100",
            payer_side_id=alice_side,
            payee_side_id=bob_side,
            counter_to_id=first.pk,
            note="Meet me halfway",
        )
        offer(active, "caucus_a", "5000", note=NOTE)

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert bob.get(f"/cases/{active.case.pk}/negotiate/live/").status_code == 200
        return len(seen)

    exchange()
    queries()  # the first fetch also warms per-process caches (the roster)
    few = queries()
    for _ in range(4):
        exchange()
    assert queries() == few
