"""A real huey consumer (threads, a real SQLite queue file) runs queued jobs, retries them, and
records a job that failed every try in the dead-letter table."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from huey.storage import SqliteStorage

from parley.notifications.models import DeadLetter
from parley.notifications.queue import HUEY, job
from parley.rooms.actions import do_post_entry
from parley.testing import ActiveCast

attempts: list[int] = []


@job(retries=2, retry_delay=0)
def always_fails(case_id: int) -> None:
    attempts.append(case_id)
    raise RuntimeError("the mail server said no")


@pytest.fixture
def real_queue(tmp_path: Path) -> Iterator[Any]:
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    memory = HUEY.storage
    HUEY.immediate = False
    HUEY.storage = SqliteStorage(name="parley-test", filename=str(tmp_path / "jobs.sqlite3"))
    consumer = HUEY.create_consumer(
        workers=1,
        worker_type="thread",
        periodic=False,
        initial_delay=0.05,
        max_delay=0.2,
        check_worker_health=False,
    )
    try:
        yield consumer
    finally:
        consumer.stop(graceful=True)
        HUEY.storage = memory
        HUEY.immediate = True
        for signum, handler in saved.items():
            signal.signal(signum, handler)


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.django_db(transaction=True)
def test_a_real_consumer_runs_jobs_and_dead_letters_those_that_keep_failing(
    active: ActiveCast, real_queue: Any
) -> None:
    mail.outbox.clear()
    attempts.clear()
    # Alice's post queues the joint room's activity mail (through the post's own hook).
    do_post_entry(
        acting_user=active.alice,
        case_id=active.case.pk,
        room_id=active.room("joint").pk,
        body="Good morning",
    )
    assert wait_for(lambda: HUEY.pending_count() == 1)
    always_fails(active.case.pk)
    assert HUEY.pending_count() == 2
    real_queue.start()
    assert wait_for(lambda: DeadLetter.objects.exists() and len(mail.outbox) == 3)
    letter = DeadLetter.objects.get()
    assert letter.task_name.endswith("always_fails")
    assert letter.arguments == {"args": [active.case.pk], "kwargs": {}}
    assert "the mail server said no" in letter.error
    assert attempts == [active.case.pk] * 3
    assert sorted(a for m in mail.outbox for a in m.to) == sorted(
        u.email for u in (active.maya, active.bob, active.carol)
    )
