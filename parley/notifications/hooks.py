"""Queueing notifications from the write path, after commit, cheaply and never failing it."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import transaction

from parley.notifications.queue import run_later
from parley.notifications.tasks import notify_new_activity, send_invitation

logger = logging.getLogger(__name__)

# Per-process coalescing: while a room's job is waiting to run, later posts in the room add
# nothing to the queue (the job looks at what is unread when it runs, not at one post).
_waiting: dict[int, float] = {}
_lock = threading.Lock()
_MAX_KEYS = 50_000


def forget_recent() -> None:
    with _lock:
        _waiting.clear()


def _due(room_id: int) -> bool:
    now = time.monotonic()
    with _lock:
        until = _waiting.get(room_id)
        if until is not None and now < until:
            return False
        if len(_waiting) >= _MAX_KEYS:
            _waiting.clear()
        _waiting[room_id] = now + settings.PARLEY_NOTIFY_UNREAD_SECONDS
    return True


def _enqueue(case_id: int, room_id: int) -> None:
    try:
        run_later(notify_new_activity, settings.PARLEY_NOTIFY_UNREAD_SECONDS, case_id, room_id)
    except Exception:
        # The entry is stored and pushed; a missed e-mail must not turn into an error.
        logger.exception("could not queue the activity mail for room %s", room_id)


_queueing: ThreadPoolExecutor | None = None


def _queue_in_background(case_id: int, room_id: int) -> None:
    """A post's answer must not wait for the job queue: when Redis restarts, redis-py retries
    with backoff for seconds. The entry is committed and pushed either way."""
    global _queueing
    if not _due(room_id):
        return
    if settings.HUEY.get("immediate"):
        _enqueue(case_id, room_id)  # tests: a job due now runs here and now
        return
    with _lock:
        if _queueing is None:
            _queueing = ThreadPoolExecutor(1, thread_name_prefix="parley-queueing")
    _queueing.submit(_enqueue, case_id, room_id)


def notify_activity_on_commit(case_id: int, room_id: int) -> None:
    """Precondition: inside the transaction that stored an entry in `room_id`. The mail goes
    out PARLEY_NOTIFY_UNREAD_SECONDS later, to those who have not read the room by then."""
    transaction.on_commit(lambda: _queue_in_background(case_id, room_id), robust=True)


def send_invitation_on_commit(invitation_id: int) -> None:
    """For the invite views: queue the invitation mail once the invitation is stored."""

    def enqueue() -> None:
        send_invitation(invitation_id)

    transaction.on_commit(enqueue, robust=True)


def send_session_mail_on_commit(session_id: int, change: str) -> None:
    """For the session actions: tell the invitees once the change is stored."""

    def enqueue() -> None:
        from parley.notifications.tasks import send_session_mails

        send_session_mails(session_id, change)

    transaction.on_commit(enqueue, robust=True)


def send_poll_mail_on_commit(poll_id: int) -> None:
    """For the poll action: ask the invitees for their availability once the poll is stored."""

    def enqueue() -> None:
        from parley.notifications.tasks import send_poll_mails

        send_poll_mails(poll_id)

    transaction.on_commit(enqueue, robust=True)
