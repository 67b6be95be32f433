"""Shared helpers for the negotiation tests: paths, the cast's sides, and an event tap that
listens on every participant's real-time group through the real channel layer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from parley.cases.models import Participant
from parley.realtime.publish import participant_group
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
    """Runs actions so their on-commit events really go out, and records what each participant's
    WebSocket group received."""

    def __init__(
        self, cast: ActiveCast, capture: Callable[..., AbstractContextManager[Any]]
    ) -> None:
        self.capture = capture
        self.layer = get_channel_layer()
        self.channels: dict[int, str] = {}
        for participant in Participant.objects.filter(case=cast.case):
            channel = async_to_sync(self.layer.new_channel)()
            async_to_sync(self.layer.group_add)(participant_group(participant.pk), channel)
            self.channels[participant.pk] = channel

    def run(self, fn: Callable[[], T]) -> T:
        with self.capture(execute=True):
            return fn()

    def drain(self) -> dict[int, list[dict[str, Any]]]:
        async def take(channel: str) -> list[dict[str, Any]]:
            got: list[dict[str, Any]] = []
            while True:
                try:
                    message = await asyncio.wait_for(self.layer.receive(channel), 0.05)
                except TimeoutError:
                    return got
                got.append(message["event"])

        return {pid: async_to_sync(take)(ch) for pid, ch in self.channels.items()}


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
