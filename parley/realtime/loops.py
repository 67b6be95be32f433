"""One object per running event loop (a server process has one loop; the tests start several).

A leaf: it imports nothing from the project, so publish.py (itself a leaf) can use it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerLoop(Generic[T]):
    """Makes one T for each event loop that asks, and forgets the loops that have closed."""

    def __init__(self, make: Callable[[asyncio.AbstractEventLoop], T]) -> None:
        self.make = make
        self.found: dict[asyncio.AbstractEventLoop, T] = {}
        self.lock = threading.Lock()

    def for_loop(self, loop: asyncio.AbstractEventLoop) -> T:
        with self.lock:
            for old in [lp for lp in self.found if lp.is_closed()]:
                del self.found[old]
            item = self.found.get(loop)
            if item is None:
                item = self.found[loop] = self.make(loop)
            return item
