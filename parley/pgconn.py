"""The psycopg connection Parley's PostgreSQL pool hands out: psycopg's own, without the round
trips that carry nothing.

In pipeline mode (the post path, parley/inserts.py) psycopg cannot trust the transaction status
libpq holds while statements are in flight, so it sends a Sync and waits for the server's answer
whenever Django switches autocommit and whenever a pipeline ends. When the last thing sent was a
Sync and every answer is in, nothing is in flight: the status is the server's, and that Sync
would be a round trip for nothing. A post took six round trips, three of them such; these
classes skip exactly those (and only those: anything sent since the last Sync, or any answer not
yet read, and psycopg's own code runs unchanged).

Written against psycopg's pipeline internals (`command_queue`, `result_queue`, the `_gen`
methods), which the version pinned in constraints.txt has; parley/ops/tests/test_database.py
counts a post's round trips, so an upgrade that changes them fails there, not silently."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import pq
from psycopg.abc import PQGen


class _Commands(deque[Any]):
    """psycopg's queue of commands waiting to be sent, knowing whether the latest is a Sync."""

    def __init__(self, sync: Any) -> None:
        super().__init__()
        self.sync = sync
        self.after_sync = True  # a new pipeline: nothing sent in it yet

    def append(self, command: Any) -> None:
        self.after_sync = command == self.sync
        super().append(command)


class Pipeline(psycopg.Pipeline):
    def __init__(self, conn: psycopg.Connection[Any], _no_lock: bool = False) -> None:
        super().__init__(conn, _no_lock)
        self.command_queue = _Commands(self.pgconn.pipeline_sync)

    def settled(self) -> bool:
        """Nothing sent since the last Sync, and every answer read."""
        commands = self.command_queue
        assert isinstance(commands, _Commands)
        return commands.after_sync and not commands and not self.result_queue

    def _exit_gen(self) -> PQGen[None]:
        if self.settled():
            return
        yield from super()._exit_gen()


class Connection(psycopg.Connection[Any]):
    def _check_intrans_gen(self, attribute: str) -> PQGen[None]:
        pipeline = self._pipeline
        if (
            isinstance(pipeline, Pipeline)
            and pipeline.settled()
            and self.pgconn.transaction_status == pq.TransactionStatus.IDLE
        ):
            return
        yield from super()._check_intrans_gen(attribute)

    @contextmanager
    def pipeline(self) -> Iterator[psycopg.Pipeline]:
        """psycopg's, with the Pipeline above."""
        with self.lock:
            self._check_connection_ok()
            if (pipeline := self._pipeline) is None:
                pipeline = self._pipeline = Pipeline(self)  # a cycle, broken below
        try:
            with pipeline:
                yield pipeline
        finally:
            if pipeline.level == 0:
                with self.lock:
                    assert pipeline is self._pipeline
                    self._pipeline = None
