"""Queueing notifications from the write path, after commit, cheaply and never failing it."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import transaction

from parley.notifications.tasks import notify_new_activity, send_invitation

logger = logging.getLogger(__name__)

# Per-process leading-edge debounce: the task itself keeps the real per-person window in the
# database; this only spares the queue one job per post on a busy room.
_recent: dict[tuple[int, int | None], float] = {}
_lock = threading.Lock()
_MAX_KEYS = 50_000


def forget_recent() -> None:
    with _lock:
        _recent.clear()


def _due(room_id: int, author_id: int | None) -> bool:
    now = time.monotonic()
    key = (room_id, author_id)
    with _lock:
        last = _recent.get(key)
        if last is not None and now - last < settings.PARLEY_NOTIFY_EVERY_SECONDS:
            return False
        if len(_recent) >= _MAX_KEYS:
            _recent.clear()
        _recent[key] = now
    return True


def _enqueue_activity(case_id: int, room_id: int, author_id: int | None) -> None:
    if not _due(room_id, author_id):
        return
    try:
        notify_new_activity(case_id, room_id, author_id)
    except Exception:
        # The entry is stored and pushed; a missed e-mail must not turn into an error.
        logger.exception("could not queue the activity mail for room %s", room_id)


_queueing: ThreadPoolExecutor | None = None


def _queue_in_background(case_id: int, room_id: int, author_id: int | None) -> None:
    """A post's answer must not wait for the job queue: when Redis restarts, redis-py retries
    with backoff for seconds. The entry is committed and pushed either way."""
    global _queueing
    if settings.HUEY.get("immediate"):
        _enqueue_activity(case_id, room_id, author_id)  # tests: the job runs here and now
        return
    if not _due(room_id, author_id):
        return
    with _lock:
        if _queueing is None:
            _queueing = ThreadPoolExecutor(1, thread_name_prefix="parley-queueing")
    _queueing.submit(_enqueue_due, case_id, room_id, author_id)


def _enqueue_due(case_id: int, room_id: int, author_id: int | None) -> None:
    try:
        notify_new_activity(case_id, room_id, author_id)
    except Exception:
        logger.exception("could not queue the activity mail for room %s", room_id)


def notify_activity_on_commit(case_id: int, room_id: int, author_id: int | None) -> None:
    """Precondition: inside the transaction that stored an entry in `room_id`."""
    transaction.on_commit(lambda: _queue_in_background(case_id, room_id, author_id), robust=True)


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
