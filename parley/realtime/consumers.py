"""One WebSocket per person per case. It relays events the actions addressed to this participant
(the policy chose the recipients; it never reads content on its own) and takes the person's
posts, which go through the same action, checks and audit as the HTTP API."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import translation
from django.utils.translation import gettext as _

from parley.cases.access import access_case
from parley.cases.models import Participant
from parley.errors import BadInput, DomainError, NotFound
from parley.limits import check_client_key, check_text_size
from parley.meetings.presence import record_join, record_leave
from parley.ops.health import is_database_outage
from parley.realtime import writer
from parley.realtime.presence import presence
from parley.realtime.publish import session_group
from parley.realtime.router import router
from parley.rooms.actions import do_post_entry
from parley.rooms.policy import Instruction
from parley.rooms.words import render

logger = logging.getLogger(__name__)

# Close codes: 4404 = not a participant (or no such case), 4401 = signed out.
CLOSE_NOT_FOUND = 4404
CLOSE_SIGNED_OUT = 4401
# Events waiting for a socket that does not read; beyond this the newest are dropped (the
# client catches up from its last entry id at its next heartbeat).
MAX_PENDING_EVENTS = 1000


def _participant_sync(user: Any, case_id: int) -> Participant | None:
    try:
        _, me = access_case(user, case_id)
    except NotFound:
        return None
    return me


async def _participant(user: Any, case_id: int) -> Participant | None:
    result: Participant | None = await database_sync_to_async(_participant_sync)(user, case_id)
    return result


def read_post(content: dict[str, Any]) -> dict[str, Any]:
    """The socket's post message, checked as strictly as the API's EntryIn."""
    room = content.get("room")
    body = content.get("body")
    key = content.get("client_key", "")
    instruction = content.get("instruction")
    acknowledge = content.get("acknowledge_not_confidential", False)
    if not isinstance(room, int) or isinstance(room, bool):
        raise BadInput("bad_room", _("Say which room to post in (a room id)."))
    body = check_text_size(body, code="bad_body")
    key = check_client_key(key)
    if instruction is not None and instruction not in Instruction.values:
        raise BadInput("bad_instruction", _("Choose may_disclose or do_not_disclose."))
    if not isinstance(acknowledge, bool):
        raise BadInput("bad_acknowledgement", _("acknowledge_not_confidential is true or false."))
    return {
        "room_id": room,
        "body": body,
        "client_key": key,
        "instruction": Instruction(instruction) if instruction is not None else None,
        "acknowledge_not_confidential": acknowledge,
    }


class CaseConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    participant: Participant | None = None
    session: str = ""
    rejoining: asyncio.Future[None] | None = None
    relaying: asyncio.Future[None] | None = None
    # Pushes wait until the client has had its hello.
    greeted = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pending: deque[dict[str, Any]] = deque()

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale database connections before every message, which costs a
        # thread hop per pushed event. Nothing here reads the database on the event loop:
        # connect runs through database_sync_to_async (which cleans up itself) and posts run
        # on the writer threads, which own their connections.
        handler = getattr(self, message["type"].replace(".", "_"), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        case_id = int(self.scope["url_route"]["kwargs"]["case_id"])
        me = await _participant(self.scope.get("user"), case_id)
        if me is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.participant = me
        self.case_id = case_id
        session = self.scope.get("session")
        self.session = session_group(session.session_key) if session is not None else ""
        await router().add(me.pk, self)
        if self.session:
            await self.channel_layer.group_add(self.session, self.channel_name)
        await self.accept()
        online, first = await presence.join(case_id, me.pk, self.channel_name)
        if first:
            # R10.5: the join a session's roster is proposed from.
            await database_sync_to_async(record_join)(case_id, me.pk)
        await self.send_json({"type": "hello", "participant": me.pk, "online": online})
        self.greeted = True
        self.relay_soon()
        await presence.announce(case_id, me.pk, True)

    async def disconnect(self, code: int) -> None:
        if self.rejoining is not None:
            self.rejoining.cancel()
        if self.participant is not None:
            self.stop_pushes()
            if self.session:
                await self.channel_layer.group_discard(self.session, self.channel_name)
            still_online = await presence.leave(
                self.case_id, self.participant.pk, self.channel_name
            )
            if not still_online:
                try:
                    await database_sync_to_async(record_leave)(self.case_id, self.participant.pk)
                except Exception:
                    # A lost leave time must not keep the others from hearing that they left.
                    logger.exception("could not record the leave of %s", self.participant.pk)
                await presence.announce(self.case_id, self.participant.pk, False)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ping":
            # A Redis restart can forget group memberships while this socket stays open. Joining
            # again on every heartbeat restores pushes; the client then fetches what it missed
            # (from its last entry id) when the pong arrives. The join runs beside this socket's
            # messages: while Redis is down it waits, and posts must not wait behind it.
            if self.rejoining is None or self.rejoining.done():
                self.rejoining = asyncio.ensure_future(self.rejoin())
            await self.send_json({"type": "pong"})
        elif kind == "post":
            await self.post(content)
        else:
            await self.send_json(
                {"type": "refused", "code": "bad_message", "detail": _("Unknown message type.")}
            )

    async def rejoin(self) -> None:
        try:
            await asyncio.wait_for(router().rejoin(), 10)
            if self.session:
                await asyncio.wait_for(
                    self.channel_layer.group_add(self.session, self.channel_name), 10
                )
        except Exception:
            logger.warning("could not re-join the pushes; the next heartbeat tries again")

    async def post(self, content: dict[str, Any]) -> None:
        """Answers `posted` only after the entry is committed (R9.2); a retry with the same
        client key answers with the entry already stored. Every refusal names the key."""
        raw_key = content.get("client_key")
        key = raw_key if isinstance(raw_key, str) else ""
        try:
            fields = read_post(content)
            entry = await writer.run(
                do_post_entry,
                acting_user=self.scope["user"],
                case_id=self.case_id,
                **fields,
            )
        except DomainError as exc:
            await self.refuse(key, exc.code, exc.detail, exc.status)
            return
        except Exception as exc:
            if is_database_outage(exc):
                await self.refuse(key, "unavailable", _("Parley cannot reach its database."), 503)
            else:
                logger.exception("posting over the socket failed")
                await self.refuse(key, "server_error", _("Something went wrong on our side."), 500)
            return
        await self.send_json(
            {"type": "posted", "client_key": key, "entry": entry.pk, "room": entry.room_id}
        )

    async def refuse(self, key: str, code: str, detail: str, status: int) -> None:
        await self.send_json(
            {
                "type": "refused",
                "client_key": key,
                "code": code,
                "detail": detail,
                "status": status,
                "retry": status >= 500,
            }
        )

    def push(self, event: dict[str, Any]) -> None:
        """The router hands this socket an event addressed to its participant (never waits)."""
        if len(self.pending) >= MAX_PENDING_EVENTS:
            logger.warning("a socket is not reading: an event for it was dropped")
            return
        self.pending.append(event)
        self.relay_soon()

    def stop_pushes(self) -> None:
        """Out of the process's routing table; what was queued is not sent."""
        if self.participant is not None:
            router().discard(self.participant.pk, self)
        self.pending.clear()

    def relay_soon(self) -> None:
        if self.greeted and (self.relaying is None or self.relaying.done()):
            self.relaying = asyncio.ensure_future(self.relay_pending())

    async def relay_pending(self) -> None:
        """Sends queued events in the order they were pushed."""
        while self.pending:
            try:
                await self.relay(self.pending.popleft())
            except Exception:
                logger.exception("could not relay an event")

    async def relay(self, event: dict[str, Any]) -> None:
        entry = event.get("entry") if event.get("type") == "entry" else None
        if isinstance(entry, dict) and "worded" in entry:
            # Parley's own words reach each reader in that reader's language.
            user = self.scope.get("user")
            with translation.override(getattr(user, "language", None)):
                entry = {**entry, "body": render(entry["kind"], entry["worded"])}
            event = {**event, "entry": entry}
        await self.send_json(event)

    async def parley_signed_out(self, message: dict[str, Any]) -> None:
        # The session this socket was opened with has ended: nothing more reaches it.
        self.stop_pushes()
        await self.close(code=CLOSE_SIGNED_OUT)
