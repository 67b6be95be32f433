"""The channel layer for a single process (no REDIS_URL).

With Redis, Parley uses channels_redis's RedisPubSubChannelLayer as shipped (settings.py).
Without it, this layer: Channels' documented layer interface (BaseChannelLayer: send, receive,
new_channel, groups, flush) written for one process with hundreds of sockets. Channels' own
in-memory layer scans every channel and group for expired messages on every send and receive
and starts a task per recipient of a group send; with 800 sockets open that scan dominated a
post. Here expired messages are dropped when their channel is read, abandoned channels are
swept at most once a second, and a group send puts the message straight on each member's
queue. Messages live 60 s; a full channel drops the message, as Channels' layer does."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections import deque
from copy import deepcopy
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import BaseChannelLayer


class Inbox:
    """One channel's messages, oldest first, each with its expiry time."""

    def __init__(self) -> None:
        self.messages: deque[tuple[float, dict[str, Any]]] = deque()
        self.arrived = asyncio.Event()

    def drop_expired(self, now: float) -> bool:
        """True if anything had expired (its reader is gone: messages are read at once)."""
        dropped = False
        while self.messages and self.messages[0][0] < now:
            self.messages.popleft()
            dropped = True
        return dropped


class LocalChannelLayer(BaseChannelLayer):  # type: ignore[misc]
    extensions = ["groups", "flush"]
    SWEEP_EVERY_SECONDS = 1.0

    def __init__(
        self,
        expiry: int = 60,
        capacity: int = 100,
        channel_capacity: dict[str, int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(expiry=expiry, capacity=capacity, **kwargs)
        self.channel_capacity = self.compile_capacities(channel_capacity or {})
        self.inboxes: dict[str, Inbox] = {}
        self.groups: dict[str, set[str]] = {}
        self.next_sweep = 0.0

    def sweep(self) -> None:
        """Channels with an expired message have no reader: forget them and their groups."""
        now = time.monotonic()
        if now < self.next_sweep:
            return
        self.next_sweep = now + self.SWEEP_EVERY_SECONDS
        for name, inbox in list(self.inboxes.items()):
            if inbox.drop_expired(now):
                for members in self.groups.values():
                    members.discard(name)
                if not inbox.messages:
                    del self.inboxes[name]

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        self.sweep()
        inbox = self.inboxes.setdefault(channel, Inbox())
        if len(inbox.messages) >= self.get_capacity(channel):
            raise ChannelFull(channel)
        inbox.messages.append((time.monotonic() + self.expiry, deepcopy(message)))
        inbox.arrived.set()

    async def receive(self, channel: str) -> dict[str, Any]:
        self.require_valid_channel_name(channel)
        inbox = self.inboxes.setdefault(channel, Inbox())
        try:
            while True:
                inbox.drop_expired(time.monotonic())
                if inbox.messages:
                    return inbox.messages.popleft()[1]
                inbox.arrived.clear()
                await inbox.arrived.wait()
        finally:
            # An empty inbox is forgotten (its event belongs to this event loop).
            if not inbox.messages and self.inboxes.get(channel) is inbox:
                del self.inboxes[channel]

    async def new_channel(self, prefix: str = "specific.") -> str:
        return f"{prefix}.local!{secrets.token_hex(8)}"

    async def group_add(self, group: str, channel: str) -> None:
        self.require_valid_group_name(group)
        self.require_valid_channel_name(channel)
        self.groups.setdefault(group, set()).add(channel)

    async def group_discard(self, group: str, channel: str) -> None:
        self.require_valid_group_name(group)
        self.require_valid_channel_name(channel)
        members = self.groups.get(group)
        if members is not None:
            members.discard(channel)
            if not members:
                del self.groups[group]

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_group_name(group)
        for channel in list(self.groups.get(group, ())):
            with contextlib.suppress(ChannelFull):
                await self.send(channel, message)

    async def flush(self) -> None:
        self.inboxes = {}
        self.groups = {}

    async def close(self) -> None:
        pass
