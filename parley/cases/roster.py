"""The roster cache: each process keeps the policy's CaseContext of recently written cases, so a
post does not re-read the case's people, signatures and rooms every time. Set
PARLEY_ROSTER_CACHE_CASES=0 to turn it off (every write then loads the context afresh).

Why it cannot serve a stale roster (which would be a leak: a push to someone no longer
entitled, or a post by someone no longer allowed):

* Its key is the case's roster version, a random token that database triggers (cases migration
  0002) replace in the same transaction as any change to a table load_context reads. No code
  writes the token, so no path (ORM save, queryset update, bulk write, raw SQL, a migration)
  can change the roster without changing the key. tests/test_roster.py checks every such table
  and that load_context reads no other.
* The token is read with the case row lock, in the lock's own statement (enter_case), and
  before the roster, in the same transaction. That statement locks the token's row as well as
  the case's, so on PostgreSQL one that waited for the lock returns the latest committed token,
  not the one its snapshot saw before the wait (SQLite's writer holds the whole database), and
  the cached roster is never older than it. A token never repeats, so a rolled-back change
  cannot resurrect one.
* The case status is part of the key too (load_context derives a figure from it).
* Callers get a copy of the cached CaseContext holding their own case row; they only read the
  shared model instances inside it.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict

from django.conf import settings

from parley.cases.context import CaseContext, load_context
from parley.cases.models import Case

_lock = threading.Lock()
_cache: OrderedDict[int, tuple[tuple[str, str], CaseContext]] = OrderedDict()


def enabled() -> bool:
    return int(settings.PARLEY_ROSTER_CACHE_CASES) > 0


def context_for(case: Case, version: str | None) -> CaseContext:
    """Precondition: `case` and its roster `version` were read under the case lock
    (access.enter_case) in this transaction, which has written nothing yet, so what
    load_context reads is committed data."""
    if version is None or not enabled():
        return load_context(case)
    key = (version, str(case.status))
    with _lock:
        hit = _cache.get(case.pk)
        if hit is not None and hit[0] == key:
            _cache.move_to_end(case.pk)
            return dataclasses.replace(hit[1], case=case)
    ctx = load_context(case)
    with _lock:
        _cache[case.pk] = (key, ctx)
        _cache.move_to_end(case.pk)
        while len(_cache) > int(settings.PARLEY_ROSTER_CACHE_CASES):
            _cache.popitem(last=False)
    return ctx


def forget_all() -> None:
    with _lock:
        _cache.clear()
