"""Send real-time events after commit, to an explicit list of recipients (Zulip's way).

A write made on a server thread (an HTTP request, a socket's post) hands its events to the
server's event loop and returns at once: an outbox there sends them in order, many events in
one message to every server process, each of which hands an event to its own sockets of the
participants it names (router.py). Pushes are best-effort by
design (R9.2 rests on the stored entry: a client that misses one catches up from its last
entry id), so the writer never waits for the channel layer."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import BaseChannelLayer, get_channel_layer
from django.db import transaction

from parley.realtime.loops import PerLoop

logger = logging.getLogger(__name__)

# Every server process listens on this group and routes each event to its own sockets of the
# participants the event names (router.py).
WORKERS_GROUP = "parley.workers"
# Events per message to the workers (a burst goes out in a few messages, none of them huge).
EVENTS_PER_MESSAGE = 100

Batch = list[tuple[list[int], dict[str, Any]]]


def session_group(session_key: str | None) -> str:
    """The group of the sockets opened with one sign-in session. Named by a hash: a session key
    is a credential and group names are stored in Redis."""
    if not session_key:
        return ""
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]


async def send_batch(layer: BaseChannelLayer, batch: Batch) -> None:
    """One message to every server process per EVENTS_PER_MESSAGE events, in order."""
    for start in range(0, len(batch), EVENTS_PER_MESSAGE):
        items = [
            [recipients, event] for recipients, event in batch[start : start + EVENTS_PER_MESSAGE]
        ]
        try:
            await layer.group_send(WORKERS_GROUP, {"type": "parley.events", "items": items})
        except Exception:
            # The entries are committed; a reader that misses the push catches up.
            logger.exception("could not push %d events", len(items))


def addressed(message: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(participant id, event) for every recipient of every event in a message to the workers,
    in the order the events were published."""
    for recipients, event in message["items"]:
        for participant_id in recipients:
            yield participant_id, event


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


_outboxes: PerLoop[Outbox] = PerLoop(Outbox)
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


def send_now(recipient_ids: Iterable[int], event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    recipients = sorted(set(recipient_ids))
    loop = _server_loop()
    if loop is not None:
        try:
            loop.call_soon_threadsafe(_outboxes.for_loop(loop).put, recipients, event)
            return
        except RuntimeError:  # the loop closed in between
            pass
    # No server loop (a management command, a sync test): send before returning.
    async_to_sync(send_batch)(layer, [(recipients, event)])


def send_from_loop(recipient_ids: Iterable[int], event: dict[str, Any]) -> None:
    """For code running on the event loop (a socket's connect or disconnect)."""
    _outboxes.for_loop(asyncio.get_running_loop()).put(sorted(set(recipient_ids)), event)


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
