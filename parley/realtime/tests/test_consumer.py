"""The WebSocket relays exactly what the policy addressed to each participant (R3.6, R9.2).

Real consumer, real in-memory channel layer, real sessions, real commits.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from parley.accounts.models import User
from parley.cases.actions import do_terminate
from parley.rooms.actions import do_change_instruction, do_post_entry
from parley.rooms.policy import Instruction
from parley.testing import ActiveCast, build_case, make_cast, open_socket

pytestmark = pytest.mark.django_db(transaction=True)

CONTENT_TYPES = {"entry", "instruction"}


async def connect(user: User | None, case_id: int) -> tuple[WebsocketCommunicator, bool, Any]:
    comm, connected, code = await open_socket(user, case_id)
    return comm, connected, code


async def next_of(comm: WebsocketCommunicator, kind: str) -> dict[str, Any]:
    while True:
        event: dict[str, Any] = await comm.receive_json_from(timeout=5)
        if event["type"] == kind:
            return event


async def presence_of(comm: WebsocketCommunicator, participant_id: int) -> bool:
    while True:
        event = await next_of(comm, "presence")
        if event["participant"] == participant_id:
            return bool(event["online"])


async def drain(comm: WebsocketCommunicator) -> list[dict[str, Any]]:
    """Everything that arrives until the socket has been quiet for a moment."""
    events = []
    while not await comm.receive_nothing(timeout=0.3):
        events.append(await comm.receive_json_from())
    return events


@pytest.fixture
def live() -> ActiveCast:
    return build_case(make_cast(), stage="active")


async def everyone(live: ActiveCast) -> dict[str, WebsocketCommunicator]:
    socks = {}
    for name in ("maya", "alice", "bob", "carol"):
        comm, connected, _ = await connect(getattr(live, name), live.case.pk)
        assert connected
        hello = await next_of(comm, "hello")
        assert hello["type"] == "hello"
        socks[name] = comm
    await asyncio.gather(*(drain(c) for c in socks.values()))
    return socks


async def close_all(socks: dict[str, WebsocketCommunicator]) -> None:
    for comm in socks.values():
        await comm.disconnect()


async def test_r3_6_an_outsider_cannot_open_the_case_socket(live: ActiveCast) -> None:
    _comm, connected, code = await connect(live.olga, live.case.pk)
    assert not connected
    assert code == 4404
    _anonymous, connected, _ = await connect(None, live.case.pk)
    assert not connected


async def test_r3_2_a_caucus_entry_reaches_its_side_and_the_mediator_only(live: ActiveCast) -> None:
    socks = await everyone(live)
    entry = await sync_to_async(do_post_entry)(
        acting_user=live.alice,
        case_id=live.case.pk,
        room_id=live.room("caucus_a").pk,
        body="Our bottom line is 7,000.",
    )
    for name in ("alice", "carol", "maya"):
        event = await next_of(socks[name], "entry")
        assert event["entry"]["id"] == entry.pk
        assert event["entry"]["body"] == "Our bottom line is 7,000."
    leaked = [e for e in await drain(socks["bob"]) if e["type"] in CONTENT_TYPES]
    assert leaked == []
    await close_all(socks)


async def test_r3_3_a_counsel_room_entry_never_reaches_the_mediator(live: ActiveCast) -> None:
    socks = await everyone(live)
    await sync_to_async(do_post_entry)(
        acting_user=live.carol,
        case_id=live.case.pk,
        room_id=live.room("counsel_a").pk,
        body="Between us: don't go below 6,000.",
    )
    assert (await next_of(socks["alice"], "entry"))["entry"]["room"] == live.room("counsel_a").pk
    for name in ("maya", "bob"):
        assert [e for e in await drain(socks[name]) if e["type"] in CONTENT_TYPES] == []
    await close_all(socks)


async def test_r4_2_an_instruction_change_reaches_only_the_caucus_members(live: ActiveCast) -> None:
    socks = await everyone(live)
    entry = await sync_to_async(do_post_entry)(
        acting_user=live.alice,
        case_id=live.case.pk,
        room_id=live.room("caucus_a").pk,
        body="Maybe 6,500.",
    )
    await asyncio.gather(*(drain(c) for c in socks.values()))
    await sync_to_async(do_change_instruction)(
        acting_user=live.carol,
        case_id=live.case.pk,
        entry_id=entry.pk,
        instruction=Instruction.DO_NOT_DISCLOSE,
    )
    for name in ("alice", "carol", "maya"):
        event = await next_of(socks[name], "instruction")
        assert (event["entry"], event["instruction"]) == (entry.pk, "do_not_disclose")
    assert [e for e in await drain(socks["bob"]) if e["type"] in CONTENT_TYPES] == []
    await close_all(socks)


async def test_r7_1_a_partys_termination_reaches_everyone_but_names_them_only_in_caucus(
    live: ActiveCast,
) -> None:
    socks = await everyone(live)
    await sync_to_async(do_terminate)(acting_user=live.bob, case_id=live.case.pk)
    seen = {name: await drain(comm) for name, comm in socks.items()}
    for events in seen.values():
        assert "terminated" in [e["type"] for e in events]

    def bodies(name: str) -> str:
        return " ".join(e["entry"]["body"] for e in seen[name] if e["type"] == "entry")

    assert "The mediation has ended." in bodies("alice")
    assert "Bob Brightline declared to the mediator" in bodies("maya")
    assert "Bob Brightline" not in bodies("alice")
    await close_all(socks)


async def test_presence_tells_the_case_who_is_online(live: ActiveCast) -> None:
    alice, _, _ = await connect(live.alice, live.case.pk)
    await next_of(alice, "hello")
    bob, _, _ = await connect(live.bob, live.case.pk)
    hello = await next_of(bob, "hello")
    alice_id = await sync_to_async(lambda: live.participant(live.alice).pk)()
    bob_id = await sync_to_async(lambda: live.participant(live.bob).pk)()
    assert alice_id in hello["online"]
    assert await presence_of(alice, bob_id) is True
    await bob.disconnect()
    assert await presence_of(alice, bob_id) is False
    await alice.disconnect()


async def test_a_ping_is_answered(live: ActiveCast) -> None:
    comm, _, _ = await connect(live.bob, live.case.pk)
    await comm.send_json_to({"type": "ping"})
    assert (await next_of(comm, "pong"))["type"] == "pong"
    await comm.disconnect()


async def test_r9_2_a_heartbeat_rejoins_a_socket_whose_group_membership_was_lost(
    live: ActiveCast,
) -> None:
    """A Redis restart forgets group memberships while sockets stay open; the heartbeat
    restores them, so later entries are pushed again."""
    from channels.layers import get_channel_layer

    from parley.realtime.publish import WORKERS_GROUP
    from parley.realtime.router import router

    comm, connected, _ = await connect(live.bob, live.case.pk)
    assert connected
    await next_of(comm, "hello")
    await drain(comm)
    # What a restarted Redis does: this process's listening channel is no longer in the group
    # (through the layer's public API, so the same on the in-memory layer and on Redis).
    await get_channel_layer().group_discard(WORKERS_GROUP, router().channel)
    joint = live.room("joint").pk
    await sync_to_async(do_post_entry)(
        acting_user=live.alice, case_id=live.case.pk, room_id=joint, body="lost push"
    )
    assert [e for e in await drain(comm) if e["type"] == "entry"] == []
    await comm.send_json_to({"type": "ping"})
    await next_of(comm, "pong")
    await sync_to_async(do_post_entry)(
        acting_user=live.alice, case_id=live.case.pk, room_id=joint, body="pushed again"
    )
    assert (await next_of(comm, "entry"))["entry"]["body"] == "pushed again"
    await comm.disconnect()


async def test_a_closed_socket_leaves_the_routing_table_and_gets_nothing_more(
    live: ActiveCast,
) -> None:
    """The process hands events only to sockets still open: once Bob's socket closes it is out
    of the table, and when the last socket closes the process stops listening."""
    from parley.realtime.router import router

    bob_socket, connected, _ = await connect(live.bob, live.case.pk)
    assert connected
    await next_of(bob_socket, "hello")
    alice_socket, connected, _ = await connect(live.alice, live.case.pk)
    assert connected
    await next_of(alice_socket, "hello")
    bob = await sync_to_async(live.participant)(live.bob)
    alice = await sync_to_async(live.participant)(live.alice)
    assert set(router().sockets) == {bob.pk, alice.pk}
    await bob_socket.disconnect()
    assert set(router().sockets) == {alice.pk}
    joint = await sync_to_async(live.room)("joint")
    await sync_to_async(do_post_entry)(
        acting_user=live.alice, case_id=live.case.pk, room_id=joint.pk, body="after"
    )
    assert (await next_of(alice_socket, "entry"))["entry"]["body"] == "after"
    await alice_socket.disconnect()
    assert router().sockets == {} and router().listener is None
