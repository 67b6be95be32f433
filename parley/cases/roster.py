"""The write path's way into a case: one statement that locks the case row and finds the writer's
participation, and the policy's CaseContext from a per-process cache.

Why the cache cannot serve a stale roster (which would be a leak: a push to someone no longer
entitled, or a post by someone no longer allowed):

* Its key is the case's roster version, a random token that database triggers (cases migration
  0002) replace in the same transaction as any change to a table load_context reads. No code
  writes the token, so no path (ORM save, queryset update, bulk write, raw SQL, a migration)
  can change the roster without changing the key. tests/test_roster.py checks every such table
  and that load_context reads no other.
* The token is read before the roster in the same transaction, so the cached roster is never
  older than its token. A token never repeats, so a rolled-back change cannot resurrect one.
* The case status is part of the key too (load_context derives a figure from it).
* Entries are handed out as copies of the CaseContext with the fresh case row; callers only read
  the shared model instances inside (the post path never saves them).
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Model

from parley.accounts.models import User
from parley.cases.access import CaseContext, load_context
from parley.cases.models import Case, Participant, RosterVersion
from parley.errors import NotFound
from parley.inserts import reserve_ids_sql, reserves_ids

_lock = threading.Lock()
_cache: OrderedDict[int, tuple[tuple[str, str], CaseContext]] = OrderedDict()

CASE_FIELDS = ["id", "status", "audit_head", "audit_count"]
PARTICIPANT_FIELDS = ["id", "case_id", "user_id", "role", "side_id", "display_name"]


def _lock_sql(vendor: str) -> str:
    case, part, version = (
        Case._meta.db_table,
        Participant._meta.db_table,
        RosterVersion._meta.db_table,
    )
    # Table names are the models' own; values are parameters.
    sql = (
        f"SELECT c.id, c.status, c.audit_head, c.audit_count, "  # noqa: S608
        f"p.id, p.case_id, p.user_id, p.role, p.side_id, p.display_name, v.token "
        f"FROM {case} c JOIN {part} p ON p.case_id = c.id AND p.user_id = %s "
        f"LEFT JOIN {version} v ON v.case_id = c.id WHERE c.id = %s"
    )
    # SQLite has no row locks: Parley's SQLite transactions are IMMEDIATE, so the writer
    # already holds the database's write lock here.
    return sql + (" FOR UPDATE OF c" if vendor == "postgresql" else "")


@dataclasses.dataclass(frozen=True)
class Writing:
    case: Case
    me: Participant
    roster_token: str | None
    found: tuple[Any, ...] | None  # the row the caller's `check` statement found, if any
    ids: tuple[int, ...]  # reserved ids, one per model asked for (PostgreSQL only, else empty)


def lock_for_writing(
    user: User,
    case_id: int,
    *,
    check: tuple[str, list[Any]] | None = None,
    reserve: tuple[type[Model], ...] = (),
) -> Writing:
    """Precondition: inside transaction.atomic(). The case (status and audit head only; other
    fields load on access), the user's participation, and the roster version. NotFound for a
    missing case and for a user who is not in it, alike.

    Also the first row of the caller's `check` statement (the post path's idempotency check) and,
    on PostgreSQL, ids reserved for `reserve`. Both are separate statements sent after the
    lock's (one round trip in pipeline mode): each runs once the lock is held, so the check sees
    what a writer that held the lock before committed, and reserved ids follow commit order. (In
    the lock's own statement they would not: its snapshot predates its wait for the lock.)"""
    if not user.is_authenticated:
        raise NotFound()
    connection = connections["default"]
    reserving = bool(reserve) and reserves_ids()
    with connection.cursor() as lock, connection.cursor() as also, connection.cursor() as ids:
        lock.execute(_lock_sql(connection.vendor), [user.pk, case_id])
        if check is not None:
            also.execute(*check)
        if reserving:
            ids.execute(*reserve_ids_sql(list(reserve)))
        row = lock.fetchone()
        found = also.fetchone() if check is not None else None
        reserved = tuple(ids.fetchone()) if reserving else ()
    if row is None:
        raise NotFound()
    return Writing(
        case=Case.from_db("default", CASE_FIELDS, row[0:4]),
        me=Participant.from_db("default", PARTICIPANT_FIELDS, row[4:10]),
        roster_token=row[10],
        found=None if found is None else tuple(found),
        ids=reserved,
    )


def context_for(case: Case, token: str | None) -> CaseContext:
    """Precondition: `case` and `token` were read by lock_for_writing in this transaction, and
    the transaction has written nothing yet (so what load_context reads is committed data)."""
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
        while len(_cache) > settings.PARLEY_ROSTER_CACHE_CASES:
            _cache.popitem(last=False)
    return ctx


def forget_all() -> None:
    with _lock:
        _cache.clear()
