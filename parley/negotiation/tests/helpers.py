"""Shared helpers for the negotiation tests: paths, the cast's sides, and an event tap that
listens through the real channel layer where every server process listens, and sorts what
arrives by recipient as a process's router does."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from channels.layers import get_channel_layer

from parley.cases.models import Participant
from parley.realtime.publish import WORKERS_GROUP, addressed
from parley.testing import ActiveCast, Api, Cast

T = TypeVar("T")


def base(cast: ActiveCast) -> str:
    return f"/cases/{cast.case.pk}/negotiation"


def side_ids(cast: ActiveCast) -> tuple[int, int]:
    """(Alice's side, Bob's side)."""
    a = cast.case.sides.get(position=1).pk
    b = cast.case.sides.get(position=2).pk
    return a, b


def everyone(cast: Cast) -> dict[str, Any]:
    return {
        "maya": cast.maya,
        "alice": cast.alice,
        "bob": cast.bob,
        "carol": cast.carol,
        "olga": cast.olga,
    }


class EventTap:
    """Runs actions so their on-commit events really go out, and records what reached each
    participant of the case.

    The tap listens from one event loop of its own for its whole life: with Redis the channel
    layer keeps one connection and one set of channels per loop, so a channel made in one
    `async_to_sync` call would be unknown to the next. Use it as a context manager (or call
    `close`), which leaves the group and closes the loop."""

    def __init__(
        self, cast: ActiveCast, capture: Callable[..., AbstractContextManager[Any]]
    ) -> None:
        self.capture = capture
        self.layer = get_channel_layer()
        self.participants = list(
            Participant.objects.filter(case=cast.case).values_list("pk", flat=True)
        )
        self.loop = asyncio.new_event_loop()
        self.channel = self.loop.run_until_complete(self.layer.new_channel("parley.worker."))
        self.loop.run_until_complete(self.layer.group_add(WORKERS_GROUP, self.channel))

    def __enter__(self) -> EventTap:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.loop.run_until_complete(self.layer.group_discard(WORKERS_GROUP, self.channel))
        self.loop.close()

    def run(self, fn: Callable[[], T]) -> T:
        with self.capture(execute=True):
            return fn()

    def drain(self) -> dict[int, list[dict[str, Any]]]:
        async def take() -> list[dict[str, Any]]:
            got: list[dict[str, Any]] = []
            while True:
                try:
                    got.append(await asyncio.wait_for(self.layer.receive(self.channel), 0.05))
                except TimeoutError:
                    return got

        received: dict[int, list[dict[str, Any]]] = {pid: [] for pid in self.participants}
        for message in self.loop.run_until_complete(take()):
            for pid, event in addressed(message):
                if pid in received:
                    received[pid].append(event)
        return received


def flatten(events: dict[int, list[dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    for rows in events.values():
        yield from rows


def ask_engine(
    cast: ActiveCast, capture: Callable[..., AbstractContextManager[Any]], body: dict[str, Any]
) -> tuple[int, Any]:
    """The mediator starts a proposal job; the job runs when the request commits (jobs run
    at once under pytest). Returns the job as the mediator then reads it, or the refusal."""
    api = Api(cast.maya)
    with capture(execute=True):
        status, job = api.post(f"{base(cast)}/suggest", body)
    if status != 202:
        return status, job
    return api.get(f"{base(cast)}/suggest/{job['id']}")
