"""The single-process channel layer (no REDIS_URL): Channels' in-memory layer without its
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

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        for channel in list(self.groups.get(group, {})):
            # As the stock layer: a full channel drops the message.
            with contextlib.suppress(ChannelFull):
                await self.send(channel, message)
