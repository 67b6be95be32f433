"""Each server process routes pushed events to its own sockets (Zulip's Tornado way).

A write publishes its events once, to every server process (publish.py), each event with the
participant ids the policy addressed it to. Each process keeps a table of its open sockets by
participant and hands an event to the sockets of exactly those participants, nobody else's.
So a post costs one message through the channel layer however many people it reaches.

The table holds a socket from its connect (after the participant check) until its disconnect
or the sign-out of its session. Its listener runs while the process has at least one socket."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Protocol

from channels.layers import BaseChannelLayer, get_channel_layer

from parley.realtime.loops import PerLoop
from parley.realtime.publish import WORKERS_GROUP, addressed

logger = logging.getLogger(__name__)


class Socket(Protocol):
    def push(self, event: dict[str, Any]) -> None:
        """Queue an event for this socket; never waits."""


class Router:
    def __init__(self, layer: BaseChannelLayer | None = None) -> None:
        self.layer = layer  # None: the project's channel layer
        self.sockets: dict[int, set[Socket]] = {}
        self.listener: asyncio.Task[None] | None = None
        self.ready: asyncio.Future[None] | None = None
        self.channel = ""

    async def add(self, participant_id: int, socket: Socket) -> None:
        """From now on the socket gets every event addressed to the participant. Returns once
        this process listens (an event published after that reaches the socket)."""
        self.sockets.setdefault(participant_id, set()).add(socket)
        try:
            await self.listening()
        except BaseException:
            self.discard(participant_id, socket)
            raise

    def discard(self, participant_id: int, socket: Socket) -> None:
        sockets = self.sockets.get(participant_id)
        if sockets is not None:
            sockets.discard(socket)
            if not sockets:
                del self.sockets[participant_id]
        if not self.sockets and self.listener is not None:
            self.listener.cancel()
            self.listener = self.ready = None

    async def listening(self) -> None:
        if self.listener is None or self.listener.done():
            self.ready = asyncio.get_running_loop().create_future()
            self.listener = asyncio.ensure_future(self.listen(self.ready))
        assert self.ready is not None
        # Shielded: a connect given up on must not stop the listener for everyone else.
        await asyncio.shield(self.ready)

    async def listen(self, ready: asyncio.Future[None]) -> None:
        layer = self.layer or get_channel_layer()
        try:
            channel = await layer.new_channel("parley.worker.")
            await layer.group_add(WORKERS_GROUP, channel)
        except Exception as exc:
            if not ready.done():
                ready.set_exception(exc)
            return
        self.channel = channel
        ready.set_result(None)
        try:
            while True:
                self.route(await layer.receive(channel))
        finally:
            with contextlib.suppress(Exception):
                await layer.group_discard(WORKERS_GROUP, channel)

    def route(self, message: dict[str, Any]) -> None:
        for participant_id, event in addressed(message):
            for socket in list(self.sockets.get(participant_id, ())):
                try:
                    socket.push(event)
                except Exception:
                    logger.exception("could not queue an event for %s", participant_id)

    async def rejoin(self) -> None:
        """A Redis restart can forget the process's subscription: join again (idempotent)."""
        listening = self.listener is not None and not self.listener.done()
        if listening and self.ready is not None and self.ready.done():
            await (self.layer or get_channel_layer()).group_add(WORKERS_GROUP, self.channel)


_routers: PerLoop[Router] = PerLoop(lambda loop: Router())


def router() -> Router:
    """The router of the running event loop (a server process has one; tests have several)."""
    return _routers.for_loop(asyncio.get_running_loop())
