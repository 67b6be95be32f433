"""Send real-time events after commit, to an explicit list of recipients (Zulip's way).

A write made on a server thread (an HTTP request, a socket's post) hands its events to the
server's event loop and returns at once: an outbox there sends them in order, each recipient's
events one after another, different recipients at the same time. Pushes are best-effort by
design (R9.2 rests on the stored entry: a client that misses one catches up from its last
entry id), so the writer never waits for the channel layer."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from collections import deque
from collections.abc import Iterable
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import BaseChannelLayer, get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

# Sends in flight at once from one outbox (a burst must not open a connection per recipient).
CONCURRENT_SENDS = 32

Batch = list[tuple[list[int], dict[str, Any]]]


def participant_group(participant_id: int) -> str:
    return f"participant.{participant_id}"


def session_group(session_key: str | None) -> str:
    """The group of the sockets opened with one sign-in session. Named by a hash: a session key
    is a credential and group names are stored in Redis."""
    if not session_key:
        return ""
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]


async def send_batch(layer: BaseChannelLayer, batch: Batch) -> None:
    per_recipient: dict[int, list[dict[str, Any]]] = {}
    for recipients, event in batch:
        message = {"type": "parley.event", "event": event}
        for pid in recipients:
            per_recipient.setdefault(pid, []).append(message)
    gate = asyncio.Semaphore(CONCURRENT_SENDS)

    async def send_in_order(pid: int, messages: list[dict[str, Any]]) -> None:
        async with gate:
            for message in messages:
                try:
                    await layer.group_send(participant_group(pid), message)
                except Exception:
                    # The entry is committed; a reader that misses the push catches up.
                    logger.exception("could not push %s to %s", message["event"].get("type"), pid)

    await asyncio.gather(*(send_in_order(pid, msgs) for pid, msgs in per_recipient.items()))


class Outbox:
    """Events waiting on one event loop. Drained by a task that exits when it is empty, so
    nothing stays pending when the loop closes."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.items: deque[tuple[list[int], dict[str, Any]]] = deque()
        self.draining = False

    def put(self, recipients: list[int], event: dict[str, Any]) -> None:
        """Runs on the loop (through call_soon_threadsafe)."""
        self.items.append((recipients, event))
        if not self.draining:
            self.draining = True
            self.loop.create_task(self.drain())

    async def drain(self) -> None:
        try:
            layer = get_channel_layer()
            while self.items:
                batch = list(self.items)
                self.items.clear()
                if layer is not None:
                    await send_batch(layer, batch)
        finally:
            self.draining = False


_outboxes: dict[asyncio.AbstractEventLoop, Outbox] = {}
_outboxes_lock = threading.Lock()
_local = threading.local()


def set_thread_loop(loop: asyncio.AbstractEventLoop | None) -> None:
    """For threads the server runs writes on (see writer.py): the loop their events go to."""
    _local.loop = loop


def _server_loop() -> asyncio.AbstractEventLoop | None:
    loop: asyncio.AbstractEventLoop | None = getattr(_local, "loop", None)
    if loop is None:
        # A sync view under ASGI: asgiref records the loop that called it.
        loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is None or loop.is_closed() or not loop.is_running():
        return None
    try:
        if asyncio.get_running_loop() is loop:
            return None  # called on the loop itself: not from a server thread
    except RuntimeError:
        pass
    return loop


def _outbox(loop: asyncio.AbstractEventLoop) -> Outbox:
    with _outboxes_lock:
        for old in [lp for lp in _outboxes if lp.is_closed()]:
            del _outboxes[old]
        box = _outboxes.get(loop)
        if box is None:
            box = _outboxes[loop] = Outbox(loop)
        return box


def send_now(recipient_ids: Iterable[int], event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    recipients = sorted(set(recipient_ids))
    loop = _server_loop()
    if loop is not None:
        try:
            loop.call_soon_threadsafe(_outbox(loop).put, recipients, event)
            return
        except RuntimeError:  # the loop closed in between
            pass
    # No server loop (a management command, a sync test): send before returning.
    async_to_sync(send_batch)(layer, [(recipients, event)])


def publish_on_commit(recipient_ids: Iterable[int], event: dict[str, Any]) -> None:
    """Recipients are computed by the caller from the policy; nothing here widens them."""
    recipients = sorted(set(recipient_ids))
    transaction.on_commit(lambda: send_now(recipients, event))


def close_sockets_of_session(session_key: str | None) -> None:
    """After sign-out: every socket opened with that session closes (nothing more reaches a
    browser tab left open on a shared computer)."""
    group = session_group(session_key)
    layer = get_channel_layer()
    if not group or layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": "parley.signed_out"})
    except Exception:
        logger.exception("could not close the sockets of a signed-out session")
