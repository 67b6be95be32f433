"""Who is online in a case. Presence is not content: every participant of the case may know
who else is connected, nothing more."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from channels.db import database_sync_to_async

from parley.cases.models import Participant
from parley.realtime.publish import send_from_loop


class Presence:
    """Per-process presence map. With several workers each process knows its own sockets;
    announcements go to every participant of the case like any other event."""

    def __init__(self) -> None:
        self._sockets: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._lock = asyncio.Lock()

    async def join(self, case_id: int, participant_id: int, channel: str) -> tuple[list[int], bool]:
        """Who is online in the case now, and whether this is the person's first socket."""
        async with self._lock:
            chans = self._sockets[case_id][participant_id]
            first = not chans
            chans.add(channel)
            return sorted(pid for pid, c in self._sockets[case_id].items() if c), first

    async def leave(self, case_id: int, participant_id: int, channel: str) -> bool:
        async with self._lock:
            chans = self._sockets[case_id][participant_id]
            chans.discard(channel)
            return bool(chans)

    async def announce(self, case_id: int, participant_id: int, online: bool) -> None:
        ids = await database_sync_to_async(
            lambda: list(Participant.objects.filter(case_id=case_id).values_list("pk", flat=True))
        )()
        event = {
            "type": "presence",
            "case": case_id,
            "participant": participant_id,
            "online": online,
        }
        send_from_loop(ids, event)


presence = Presence()
