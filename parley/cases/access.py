"""The only ways into a case by id: to read it (access_case) or to change it (enter_case).
Both answer NotFound alike for a case that does not exist and for one the user is not in."""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression
from django.utils.translation import gettext as _

from parley.accounts.models import User
from parley.cases import roster
from parley.cases.context import CaseContext, current_agreement, load_context
from parley.cases.models import Case, Participant
from parley.cases.policy import Role
from parley.errors import Forbidden, NotFound

__all__ = [
    "CaseContext",
    "access_case",
    "check_mediator",
    "current_agreement",
    "enter_case",
    "load_context",
    "lock_case",
]


def access_case(user: User, case_id: int) -> tuple[Case, Participant]:
    """The case and the user's participation in it, for reading."""
    if not user.is_authenticated:
        raise NotFound()
    try:
        case = Case.objects.get(pk=case_id)
        participant = Participant.objects.select_related("side", "user").get(case=case, user=user)
    except (Case.DoesNotExist, Participant.DoesNotExist):
        raise NotFound() from None
    return case, participant


def check_mediator(participant: Participant) -> None:
    if participant.role != Role.MEDIATOR:
        raise Forbidden("mediator_only", _("Only the mediator can do this."))


VERSION = "parley_roster_version"


@dataclass(frozen=True)
class LockStatement:
    """The lock's statement for one database vendor, with what turns its row into a Case: the
    case's columns in field order (then the version), each with the converters the ORM would
    apply to it (aware datetimes on SQLite too). Built once per vendor: every write starts
    here, and compiling a query per post (or raw()'s column mapping) measured as a large part
    of a post's own Python."""

    sql: str
    sql_without_version: str
    names: list[str]
    converters: list[list[tuple[Any, Expression]]]


_statements: dict[str, LockStatement] = {}
_statements_lock = threading.Lock()


def _lock_statement(connection: BaseDatabaseWrapper) -> LockStatement:
    vendor = connection.vendor
    with _statements_lock:
        found = _statements.get(vendor)
    if found is not None:
        return found
    meta = Case._meta
    fields = list(meta.concrete_fields)
    columns = ", ".join(f"c.{connection.ops.quote_name(str(f.column))}" for f in fields)
    converters: list[list[tuple[Any, Expression]]] = []
    for f in fields:
        column = f.get_col("c")
        found_converters = connection.ops.get_db_converters(column) + f.get_db_converters(
            connection
        )
        converters.append([(convert, column) for convert in found_converters])
    # FOR UPDATE (without OF) locks the version row too, so on PostgreSQL a statement that
    # waited for the lock returns the latest committed version of both rows, not the ones its
    # snapshot saw before the wait.
    lock = " FOR UPDATE" if vendor == "postgresql" else ""
    built = LockStatement(
        sql=(
            f"SELECT {columns}, v.token FROM cases_case c "  # noqa: S608
            f"JOIN cases_rosterversion v ON v.case_id = c.id WHERE c.id = %s{lock}"
        ),
        sql_without_version=f"SELECT {columns} FROM cases_case c WHERE c.id = %s{lock}",  # noqa: S608
        names=[f.attname for f in fields],
        converters=converters,
    )
    with _statements_lock:
        _statements[vendor] = built
    return built


def _lock(case_id: int, *, with_version: bool) -> tuple[Case, str | None]:
    connection = connections["default"]
    if not connection.in_atomic_block:
        raise RuntimeError("lock_case() needs a transaction")
    statement = _lock_statement(connection)
    with connection.cursor() as cursor:
        row = None
        if with_version:
            cursor.execute(statement.sql, [case_id])
            row = cursor.fetchone()
        if row is None:
            # Without the roster cache, or for a case whose roster was never written (no
            # version row yet).
            cursor.execute(statement.sql_without_version, [case_id])
            row = cursor.fetchone()
            version = None
        else:
            version = str(row[-1])
    if row is None:
        raise NotFound()
    values = []
    for value, converters in zip(row, statement.converters, strict=False):
        for convert, column in converters:
            value = convert(value, column, connection)
        values.append(value)
    case = Case.from_db("default", statement.names, values)
    return case, version


def lock_case(case_id: int) -> Case:
    """The one lock: the case row, held until the transaction ends. Every change to a case
    (its people, its agreement, its entries, its audit chain) happens under it, so
    check-then-change cannot interleave.

    Precondition: inside transaction.atomic(). (SQLite has no row locks: Parley's SQLite
    transactions are IMMEDIATE, so the writer already holds the database's write lock.)"""
    case, _ = _lock(case_id, with_version=False)
    return case


def enter_case(acting_user: User, case_id: int) -> tuple[CaseContext, Participant]:
    """How every action begins: the case locked (lock_case), the policy's context of it, and
    the acting user's participation. Precondition: inside transaction.atomic()."""
    if not acting_user.is_authenticated:
        raise NotFound()
    case, version = _lock(case_id, with_version=roster.enabled())
    ctx = roster.context_for(case, version)
    # The context holds every participant of the case (read after the lock, like the rest of it).
    mine = [p for p in ctx.participants.values() if p.user_id == acting_user.pk]
    if not mine:
        raise NotFound()
    me = copy.copy(mine[0])  # the context's instances are shared and only read
    me.user = acting_user
    return ctx, me
