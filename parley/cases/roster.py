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
* The token is read after the case row lock is taken (enter_case), in its own statement, and
  before the roster, in the same transaction: every roster change happens under that lock, so
  the token read is the latest committed one and the cached roster is never older than it. A
  token never repeats, so a rolled-back change cannot resurrect one.
* The case status is part of the key too (load_context derives a figure from it).
* Callers get a copy of the cached CaseContext holding their own case row; they only read the
  shared model instances inside it.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict

from django.conf import settings
from django.db import connection

from parley.cases.context import CaseContext, load_context
from parley.cases.models import Case

_lock = threading.Lock()
_cache: OrderedDict[int, tuple[tuple[str, str], CaseContext]] = OrderedDict()


def current_token(case_id: int) -> str | None:
    """The case's roster version (one indexed read on every write, so a plain statement)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM cases_rosterversion WHERE case_id = %s", [case_id])
        row = cursor.fetchone()
    return None if row is None else str(row[0])


def context_for(case: Case) -> CaseContext:
    """Precondition: the caller holds the case lock (access.lock_case) and its transaction has
    written nothing yet, so what load_context reads is committed data."""
    size = int(settings.PARLEY_ROSTER_CACHE_CASES)
    if size <= 0:
        return load_context(case)
    token = current_token(case.pk)
    if token is None:
        return load_context(case)
    key = (token, str(case.status))
    with _lock:
        hit = _cache.get(case.pk)
        if hit is not None and hit[0] == key:
            _cache.move_to_end(case.pk)
            return dataclasses.replace(hit[1], case=case)
    ctx = load_context(case)
    with _lock:
        _cache[case.pk] = (key, ctx)
        _cache.move_to_end(case.pk)
        while len(_cache) > size:
            _cache.popitem(last=False)
    return ctx


def forget_all() -> None:
    with _lock:
        _cache.clear()
