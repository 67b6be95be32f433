"""One WebSocket per person per case. It only relays events the actions addressed to this
participant (the policy chose the recipients); it never reads content on its own."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from parley.cases.access import access_case
from parley.cases.models import Participant
from parley.errors import NotFound
from parley.realtime.presence import presence
from parley.realtime.publish import participant_group


def _participant_sync(user: Any, case_id: int) -> Participant | None:
    try:
        _, me = access_case(user, case_id)
    except NotFound:
        return None
    return me


async def _participant(user: Any, case_id: int) -> Participant | None:
    result: Participant | None = await database_sync_to_async(_participant_sync)(user, case_id)
    return result


class CaseConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    participant: Participant | None = None
    group: str = ""

    async def connect(self) -> None:
        case_id = int(self.scope["url_route"]["kwargs"]["case_id"])
        me = await _participant(self.scope.get("user"), case_id)
        if me is None:
            await self.close(code=4404)
            return
        self.participant = me
        self.case_id = case_id
        self.group = participant_group(me.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        online = await presence.join(case_id, me.pk, self.channel_name)
        await self.send_json({"type": "hello", "participant": me.pk, "online": online})
        await presence.announce(case_id, me.pk, True)

    async def disconnect(self, code: int) -> None:
        if self.participant is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            still_online = await presence.leave(
                self.case_id, self.participant.pk, self.channel_name
            )
            if not still_online:
                await presence.announce(self.case_id, self.participant.pk, False)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            # A Redis restart forgets group memberships while this socket stays open. Joining
            # again on every heartbeat restores pushes; the client then fetches what it missed
            # (from its last entry id) when the pong arrives.
            await self.channel_layer.group_add(self.group, self.channel_name)
            await self.send_json({"type": "pong"})

    async def parley_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])
