"""Posting over the case's WebSocket: the browser's way. Same action, checks and audit as the
HTTP API; answered only after commit (R9.2); a retried key stores one entry; refusals carry the
same codes as the API, and a room the author cannot read looks missing (R3.6).

Real consumer, real in-memory channel layer, real sessions, real commits."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from parley.rooms.models import Entry
from parley.testing import ActiveCast, build_case, make_cast, open_socket, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live() -> ActiveCast:
    return build_case(make_cast(), stage="active")


async def next_of(comm: WebsocketCommunicator, *kinds: str) -> dict[str, Any]:
    while True:
        event: dict[str, Any] = await comm.receive_json_from(timeout=5)
        if event["type"] in kinds:
            return event


async def drain(comm: WebsocketCommunicator) -> list[dict[str, Any]]:
    events = []
    while not await comm.receive_nothing(timeout=0.3):
        events.append(await comm.receive_json_from())
    return events


async def socket_of(live: ActiveCast, name: str) -> WebsocketCommunicator:
    comm, connected, _ = await open_socket(getattr(live, name), live.case.pk)
    assert connected
    await next_of(comm, "hello")
    return comm


def stored(key: str) -> list[int]:
    return list(Entry.objects.filter(client_key=key).values_list("pk", flat=True))


async def test_r9_2_a_socket_post_is_answered_after_commit_and_reaches_its_room_only(
    live: ActiveCast,
) -> None:
    socks = {n: await socket_of(live, n) for n in ("maya", "alice", "bob", "carol")}
    await asyncio.gather(*(drain(c) for c in socks.values()))
    caucus = await sync_to_async(live.room)("caucus_a")
    await socks["alice"].send_json_to(
        {"type": "post", "room": caucus.pk, "body": "We could go to 6,500.", "client_key": "k1"}
    )
    answer = await next_of(socks["alice"], "posted", "refused")
    assert answer["type"] == "posted"
    assert answer["client_key"] == "k1"
    assert answer["room"] == caucus.pk
    assert await sync_to_async(stored)("k1") == [answer["entry"]]
    for name in ("maya", "carol"):
        event = await next_of(socks[name], "entry")
        assert event["entry"]["id"] == answer["entry"]
        assert event["entry"]["body"] == "We could go to 6,500."
    assert [e for e in await drain(socks["bob"]) if e["type"] == "entry"] == []
    for comm in socks.values():
        await comm.disconnect()


async def test_r9_2_a_retried_socket_post_with_the_same_key_stores_one_entry(
    live: ActiveCast,
) -> None:
    alice = await socket_of(live, "alice")
    joint = await sync_to_async(live.room)("joint")
    post = {"type": "post", "room": joint.pk, "body": "Hello all.", "client_key": "same-key"}
    await alice.send_json_to(post)
    first = await next_of(alice, "posted")
    # The answer was lost (say the socket dropped): the browser sends the same key again.
    await alice.send_json_to(post)
    second = await next_of(alice, "posted")
    assert first["entry"] == second["entry"]
    assert await sync_to_async(stored)("same-key") == [first["entry"]]
    await alice.disconnect()


async def test_r3_6_a_socket_post_to_the_other_sides_caucus_is_not_found(live: ActiveCast) -> None:
    bob = await socket_of(live, "bob")
    caucus_a = await sync_to_async(live.room)("caucus_a")
    await bob.send_json_to(
        {"type": "post", "room": caucus_a.pk, "body": "Let me in.", "client_key": "b1"}
    )
    answer = await next_of(bob, "posted", "refused")
    assert (answer["type"], answer["code"], answer["status"]) == ("refused", "not_found", 404)
    assert answer["retry"] is False
    await bob.disconnect()
    assert await sync_to_async(stored)("b1") == []


async def test_r3_3_the_mediator_cannot_post_in_a_counsel_room_over_the_socket(
    live: ActiveCast,
) -> None:
    maya = await socket_of(live, "maya")
    counsel = await sync_to_async(live.room)("counsel_a")
    await maya.send_json_to(
        {"type": "post", "room": counsel.pk, "body": "May I?", "client_key": "m1"}
    )
    answer = await next_of(maya, "posted", "refused")
    assert (answer["type"], answer["status"]) == ("refused", 404)
    await maya.disconnect()
    assert await sync_to_async(stored)("m1") == []


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ({"type": "post", "room": "joint", "body": "a\x00b", "client_key": "n"}, "bad_characters"),
        ({"type": "post", "room": "joint", "body": "   ", "client_key": "e"}, "empty_text"),
        ({"type": "post", "body": "no room", "client_key": "r"}, "bad_room"),
        ({"type": "post", "room": "joint", "body": 5, "client_key": "t"}, "bad_body"),
        ({"type": "post", "room": "joint", "body": "x", "client_key": "k" * 65}, "bad_client_key"),
        (
            {"type": "post", "room": "joint", "body": "x", "instruction": "shout"},
            "bad_instruction",
        ),
        ({"type": "dance"}, "bad_message"),
    ],
)
async def test_bad_socket_messages_are_refused_with_their_code_and_store_nothing(
    live: ActiveCast, message: dict[str, Any], code: str
) -> None:
    alice = await socket_of(live, "alice")
    joint = await sync_to_async(live.room)("joint")
    if message.get("room") == "joint":
        message = {**message, "room": joint.pk}
    before = await sync_to_async(Entry.objects.count)()
    await alice.send_json_to(message)
    answer = await next_of(alice, "posted", "refused")
    assert (answer["type"], answer["code"]) == ("refused", code)
    assert await sync_to_async(Entry.objects.count)() == before
    await alice.disconnect()


async def test_signing_out_closes_the_sockets_of_that_session_only(live: ActiveCast) -> None:
    """A tab left open after signing out (a shared computer) receives nothing more."""
    key = await sync_to_async(session_cookie)(live.alice)
    signed_out, connected, _ = await open_socket(None, live.case.pk, session_key=key)
    assert connected
    await next_of(signed_out, "hello")
    other_device = await socket_of(live, "alice")

    def sign_out() -> int:
        browser = Client()
        browser.cookies["sessionid"] = key
        return browser.post("/logout/").status_code

    assert await sync_to_async(sign_out)() in (200, 302)
    while True:
        output = await signed_out.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            assert output["code"] == 4401
            break
    # Only the other device is left in this process's routing table for Alice.
    from parley.realtime.router import router

    alice = await sync_to_async(live.participant)(live.alice)
    assert len(router().sockets[alice.pk]) == 1
    # The other device's session is untouched: it still gets new entries.
    await drain(other_device)
    joint = await sync_to_async(live.room)("joint")
    await other_device.send_json_to(
        {"type": "post", "room": joint.pk, "body": "Still here.", "client_key": "o1"}
    )
    assert (await next_of(other_device, "posted"))["type"] == "posted"
    await other_device.disconnect()


async def test_pushes_reach_each_reader_in_the_order_entries_were_stored(live: ActiveCast) -> None:
    """Events are handed to the event loop's outbox and sent in order per recipient."""
    from parley.rooms.actions import do_post_entry

    bob = await socket_of(live, "bob")
    await drain(bob)
    joint = await sync_to_async(live.room)("joint")
    case_id = live.case.pk

    def post_many() -> list[int]:
        return [
            do_post_entry(
                acting_user=live.alice, case_id=case_id, room_id=joint.pk, body=f"n{i}"
            ).pk
            for i in range(15)
        ]

    ids = await sync_to_async(post_many)()
    got = [(await next_of(bob, "entry"))["entry"]["id"] for _ in ids]
    assert got == ids
    await bob.disconnect()
