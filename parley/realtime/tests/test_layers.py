"""The single-process channel layer keeps Channels' contract: groups, order, expiry, capacity."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.exceptions import ChannelFull

from parley.env import channel_layer_from_url
from parley.realtime.layers import LocalChannelLayer


def test_a_group_send_reaches_every_member_in_order_and_no_one_else() -> None:
    async def scenario() -> None:
        layer = LocalChannelLayer()
        alice, bob, olga = [await layer.new_channel() for _ in range(3)]
        await layer.group_add("participant.1", alice)
        await layer.group_add("participant.1", bob)
        await layer.group_add("participant.2", olga)
        for n in range(3):
            await layer.group_send("participant.1", {"type": "parley.event", "n": n})
        assert [(await layer.receive(alice))["n"] for _ in range(3)] == [0, 1, 2]
        assert [(await layer.receive(bob))["n"] for _ in range(3)] == [0, 1, 2]
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(layer.receive(olga), 0.05)
        await layer.group_discard("participant.1", bob)
        await layer.group_send("participant.1", {"type": "parley.event", "n": 3})
        assert (await layer.receive(alice))["n"] == 3
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(layer.receive(bob), 0.05)

    asyncio.run(scenario())


def test_a_waiting_receiver_gets_the_message_sent_later() -> None:
    async def scenario() -> None:
        layer = LocalChannelLayer()
        channel = await layer.new_channel()
        waiting = asyncio.ensure_future(layer.receive(channel))
        await asyncio.sleep(0)
        await layer.send(channel, {"type": "x", "body": "hello"})
        assert (await asyncio.wait_for(waiting, 1))["body"] == "hello"

    asyncio.run(scenario())


def test_a_full_channel_refuses_and_a_group_send_skips_it() -> None:
    async def scenario() -> None:
        layer = LocalChannelLayer(capacity=2)
        slow, fast = await layer.new_channel(), await layer.new_channel()
        await layer.group_add("g", slow)
        await layer.group_add("g", fast)
        for n in range(3):
            await layer.group_send("g", {"type": "x", "n": n})
            if n < 2:
                await layer.receive(fast)
        assert (await layer.receive(fast))["n"] == 2
        with pytest.raises(ChannelFull):
            await layer.send(slow, {"type": "x"})

    asyncio.run(scenario())


def test_a_channel_nobody_reads_expires_and_leaves_its_groups() -> None:
    async def scenario() -> None:
        layer = LocalChannelLayer(expiry=1)
        layer.SWEEP_EVERY_SECONDS = 0
        gone, alive = await layer.new_channel(), await layer.new_channel()
        await layer.group_add("g", gone)
        await layer.group_add("g", alive)
        await layer.group_send("g", {"type": "x", "n": 1})
        await asyncio.sleep(1.1)
        await layer.send(alive, {"type": "x", "n": 2})  # sweeps: both held an expired message
        assert layer.groups.get("g", set()) == set()
        assert (await layer.receive(alive))["n"] == 2

    asyncio.run(scenario())


def redis_layer(connections: int) -> Any:
    """The layer settings.py builds when REDIS_URL is set, on the machine's Redis."""
    import os

    import redis
    from django.utils.module_loading import import_string

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("PARLEY_REQUIRE_REDIS"):
            pytest.fail("Redis is not running and PARLEY_REQUIRE_REDIS is set")
        pytest.skip("Redis is not running")
    config: dict[str, Any] = channel_layer_from_url(url, connections)
    return import_string(config["BACKEND"])(**config["CONFIG"])


def test_with_several_connections_per_worker_every_push_reaches_its_group_in_order() -> None:
    """Two workers (two layers) with 4 connections each: a push to any of 24 groups reaches
    the socket in that group on the other worker, in the order sent, and no other socket."""

    async def run() -> None:
        sender, receiver = redis_layer(4), redis_layer(4)
        sockets = {f"parley.person.{n}": await receiver.new_channel() for n in range(24)}
        for group, channel in sockets.items():
            await receiver.group_add(group, channel)
        await asyncio.sleep(0.2)  # subscriptions travel to Redis
        for seq in range(3):
            for group in sockets:
                await sender.group_send(group, {"type": "x", "group": group, "seq": seq})
        for group, channel in sockets.items():
            got = [await asyncio.wait_for(receiver.receive(channel), 5) for _ in range(3)]
            assert [(m["group"], m["seq"]) for m in got] == [(group, 0), (group, 1), (group, 2)]
        for channel in sockets.values():
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(receiver.receive(channel), 0.2)
        await sender.flush()
        await receiver.flush()

    asyncio.run(run())


class FakeSocket:
    """Stands for one WebSocket in a process's routing table: what was handed to it."""

    def __init__(self) -> None:
        self.got: list[dict[str, Any]] = []

    def push(self, event: dict[str, Any]) -> None:
        self.got.append(event)


def test_r3_6_two_workers_each_hand_an_event_only_to_their_own_sockets_of_its_recipients() -> None:
    """Two server processes (two layers, two routers) on the real Redis, participants' sockets
    spread over both: every event reaches exactly the sockets of the participants it names, on
    whichever worker they are, in the order published; a caucus event for side A reaches no
    socket of side B, and a socket that left gets nothing more."""
    from parley.realtime.publish import send_batch
    from parley.realtime.router import Router

    async def run() -> None:
        sender = redis_layer(4)
        workers = [Router(redis_layer(4)), Router(redis_layer(4))]
        # Participants 1 (mediator), 2 (side A), 3 (side B); 2 has a socket on each worker.
        sockets = {
            (0, 1): FakeSocket(),
            (0, 2): FakeSocket(),
            (1, 2): FakeSocket(),
            (1, 3): FakeSocket(),
        }
        for (worker, pid), socket in sockets.items():
            await workers[worker].add(pid, socket)
        await asyncio.sleep(0.2)  # subscriptions travel to Redis
        batch = [
            ([1, 2, 3], {"type": "entry", "n": 0, "room": "joint"}),
            ([1, 2], {"type": "entry", "n": 1, "room": "caucus A"}),
            ([1, 3], {"type": "entry", "n": 2, "room": "caucus B"}),
            ([4], {"type": "entry", "n": 3, "room": "another case"}),
        ]
        await send_batch(sender, batch)

        async def settled() -> None:
            while len(sockets[(1, 3)].got) < 2 or len(sockets[(0, 1)].got) < 3:
                await asyncio.sleep(0.02)

        await asyncio.wait_for(settled(), 5)
        await asyncio.sleep(0.2)  # anything misrouted would have arrived by now
        seen = {key: [e["n"] for e in socket.got] for key, socket in sockets.items()}
        assert seen == {(0, 1): [0, 1, 2], (0, 2): [0, 1], (1, 2): [0, 1], (1, 3): [0, 2]}

        workers[1].discard(2, sockets[(1, 2)])
        await send_batch(sender, [([2], {"type": "entry", "n": 4})])
        await asyncio.wait_for(_until(lambda: len(sockets[(0, 2)].got) == 3), 5)
        await asyncio.sleep(0.2)
        assert [e["n"] for e in sockets[(1, 2)].got] == [0, 1]
        for (worker, pid), socket in sockets.items():
            workers[worker].discard(pid, socket)
        assert all(w.listener is None and not w.sockets for w in workers)
        await sender.flush()
        for w in workers:
            assert w.layer is not None
            await w.layer.flush()

    asyncio.run(run())


async def _until(condition: Any) -> None:
    while not condition():
        await asyncio.sleep(0.02)


def test_a_router_stops_listening_when_its_last_socket_leaves_and_starts_again() -> None:
    """On the in-process layer: the listener runs while a socket is in the table; a socket
    added after the last one left gets events again."""
    from parley.realtime.publish import send_batch
    from parley.realtime.router import Router

    async def run() -> None:
        layer = LocalChannelLayer()
        router = Router(layer)
        first, second = FakeSocket(), FakeSocket()
        await router.add(7, first)
        await send_batch(layer, [([7], {"n": 1})])
        await asyncio.wait_for(_until(lambda: first.got == [{"n": 1}]), 5)
        router.discard(7, first)
        assert router.listener is None
        await asyncio.sleep(0)  # the cancelled listener leaves the group
        assert layer.groups.get("parley.workers") in (None, set())
        await send_batch(layer, [([7], {"n": 2})])
        await router.add(7, second)
        await send_batch(layer, [([7], {"n": 3})])
        await asyncio.wait_for(_until(lambda: second.got == [{"n": 3}]), 5)
        assert first.got == [{"n": 1}]
        router.discard(7, second)

    asyncio.run(run())
