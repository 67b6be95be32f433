"""Writes that arrive over a WebSocket run on a few dedicated threads.

Django's HTTP handler gives every request a fresh thread and a fresh database connection; a
socket has no request, so its writes run here instead: on threads that live as long as the
process and keep their connection between writes. A write that fails for any reason other
than a refused action closes its thread's connection, so a broken one never serves the next
write (after a database restart the first write fails cleanly and the client retries)."""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.db import connections

from parley.errors import DomainError
from parley.realtime.publish import set_thread_loop

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_threads = 0


def thread_count() -> int:
    """SQLite takes one writer at a time, so more threads would only wait for its lock."""
    if connections["default"].vendor == "sqlite":
        return 1
    return int(settings.PARLEY_SOCKET_WRITERS)


def _get_executor() -> ThreadPoolExecutor:
    global _executor, _threads
    with _lock:
        if _executor is None:
            _threads = thread_count()
            _executor = ThreadPoolExecutor(_threads, thread_name_prefix="parley-writer")
        return _executor


def _call(
    loop: asyncio.AbstractEventLoop, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T:
    # run_in_executor does not carry the caller's context, so Django's connection here is the
    # thread's own and survives between calls. Events the write publishes go to `loop`.
    set_thread_loop(loop)
    try:
        return fn(*args, **kwargs)
    except DomainError:
        raise
    except BaseException:
        connections.close_all()
        raise


async def run(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run `fn` on a writer thread; its exceptions reach the caller."""
    loop = asyncio.get_running_loop()
    call = functools.partial(_call, loop, fn, *args, **kwargs)
    return await loop.run_in_executor(_get_executor(), call)


def shutdown() -> None:
    """Close every writer thread's connection and stop the threads (tests, before the test
    database is dropped; a server simply exits)."""
    global _executor
    with _lock:
        executor, _executor, count = _executor, None, _threads
    if executor is None:
        return
    # One close per thread: each blocks its thread until every thread has taken one.
    barrier = threading.Barrier(count)

    def close() -> None:
        connections.close_all()
        try:
            barrier.wait(timeout=5)
        except threading.BrokenBarrierError:
            logger.warning("a writer thread did not take its close in time")

    for _ in range(count):
        executor.submit(close)
    executor.shutdown(wait=True)
