"""The channel layers Parley ships.

The single-process one (no REDIS_URL): Channels' in-memory layer without its
per-message costs. The stock layer scans every channel and group for expired messages on each
send and receive, and starts a task per recipient of a group send; with hundreds of sockets
open those dominate a post. Here expiry runs at most once a second (messages live 60 s) and a
group send puts the message straight on each member's queue."""

from __future__ import annotations

import contextlib
import time
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer


class LocalChannelLayer(InMemoryChannelLayer):  # type: ignore[misc]
    CLEAN_EVERY_SECONDS = 1.0

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._next_clean = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now < self._next_clean:
            return
        self._next_clean = now + self.CLEAN_EVERY_SECONDS
        super()._clean_expired()

    async def group_send_many(self, items: list[tuple[str, dict[str, Any]]]) -> None:
        for group, message in items:
            await self.group_send(group, message)

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        for channel in list(self.groups.get(group, {})):
            # As the stock layer: a full channel drops the message.
            with contextlib.suppress(ChannelFull):
                await self.send(channel, message)


class RedisPushLayer(RedisPubSubChannelLayer):  # type: ignore[misc]
    """Redis pub/sub (channels_redis) with one addition: `group_send_many`, which publishes a
    batch of pushes in one pipelined round trip per Redis shard instead of one round trip each
    (the stock layer serialises its publishes behind a lock, which capped pushes per worker)."""

    async def group_send_many(self, items: list[tuple[str, dict[str, Any]]]) -> None:
        layer = self._get_layer()
        by_shard: dict[Any, list[tuple[str, bytes]]] = {}
        for group, message in items:
            channel = layer._get_group_channel_name(group)
            by_shard.setdefault(layer._get_shard(channel), []).append(
                (channel, self.serialize(message))
            )
        for shard, publishes in by_shard.items():
            async with shard._lock:
                shard._ensure_redis()
                pipe = shard._redis.pipeline(transaction=False)
                for channel, data in publishes:
                    pipe.publish(channel, data)
                await pipe.execute()
