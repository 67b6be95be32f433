"""Typed doors onto huey's Django integration (huey ships no type hints)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar, cast

from huey.contrib import djhuey

P = ParamSpec("P")
R = TypeVar("R")

HUEY = djhuey.HUEY


def job(*, retries: int = 0, retry_delay: int = 0) -> Callable[[Callable[P, R]], Callable[P, Any]]:
    """A task that closes stale DB connections around each run. Calling it enqueues it (or, in
    immediate mode, runs it at once); `.call_local(...)` runs it in this process."""
    return cast(
        Callable[[Callable[P, R]], Callable[P, Any]],
        djhuey.db_task(retries=retries, retry_delay=retry_delay),
    )


def periodic_job(schedule: Callable[[Any], bool]) -> Callable[[Callable[P, R]], Callable[P, Any]]:
    return cast(Callable[[Callable[P, R]], Callable[P, Any]], djhuey.db_periodic_task(schedule))


def run_later(task: Callable[..., Any], delay: int, *args: Any) -> None:
    """Queue `task(*args)` to run `delay` seconds from now (at once in immediate mode when the
    delay is 0; otherwise kept in huey's schedule until then)."""
    cast(Any, task).schedule(args, delay=delay)
