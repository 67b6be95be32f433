"""The server process's heap, settled once at start-up (parley.asgi), after every view is loaded.

Everything loaded by then (Django, the API, the negotiation engine's numerical libraries) moves
out of the garbage collector's way with gc.freeze(): a full collection would otherwise walk all
of it. What stays in its way is the live state of the open sockets, and a full collection walks
that while the worker answers nobody: with 800 sockets open a full pass took 35-185 ms, and
Python's default ran one about every 5 s under load, growing slower through a phase. After a
burst of HTTP requests (800 sockets catching up as they connect) a full pass took ~0.5 s: it
frees what each request left in reference cycles (Django's database connection wrapper of the
request's thread, the cancelled disconnect listener), which young passes promote while the
requests are in flight.
PARLEY_GC_FULL_EVERY makes full passes that many times rarer than middle-generation ones
(Python's own figure is 10; 0 leaves Python's thresholds alone). Short-lived garbage is still
collected at once; cyclic garbage old enough to reach the oldest generation waits longer.
Python 3.14's incremental collector ignores this threshold (its old-generation passes are short
by design), so there the setting has no effect."""

from __future__ import annotations

import gc

from django.conf import settings


def settle() -> None:
    gc.collect()
    gc.freeze()
    every = int(settings.PARLEY_GC_FULL_EVERY)
    if every > 0:
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, every)
