"""The only ways into a case by id: to read it (access_case) or to change it (enter_case).
Both answer NotFound alike for a case that does not exist and for one the user is not in."""

from __future__ import annotations

import copy

from django.db import connections
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


def _lock_statement(vendor: str, *, with_version: bool) -> str:
    if with_version:
        # The roster version in the same statement. FOR UPDATE (without OF) locks the version
        # row too, so on PostgreSQL a statement that waited for the lock returns the latest
        # committed version of both rows, not the ones its snapshot saw before the wait.
        sql = (
            f"SELECT c.*, v.token AS {VERSION} FROM cases_case c "  # noqa: S608
            "JOIN cases_rosterversion v ON v.case_id = c.id WHERE c.id = %s"
        )
    else:
        sql = "SELECT * FROM cases_case WHERE id = %s"
    return sql + (" FOR UPDATE" if vendor == "postgresql" else "")


def _lock(case_id: int, *, with_version: bool) -> tuple[Case, str | None]:
    connection = connections["default"]
    if not connection.in_atomic_block:
        raise RuntimeError("lock_case() needs a transaction")
    # Every write starts here, so the statement is written once rather than compiled by the
    # ORM on every call; raw() still converts each column as the ORM does (aware datetimes on
    # SQLite too), and the version column comes as an attribute of the case.
    vendor = connection.vendor
    found = list(Case.objects.raw(_lock_statement(vendor, with_version=with_version), [case_id]))
    if not found and with_version:
        # A case whose roster was never written has no version row yet.
        found = list(Case.objects.raw(_lock_statement(vendor, with_version=False), [case_id]))
    if not found:
        raise NotFound()
    case = found[0]
    version = getattr(case, VERSION, None)
    return case, None if version is None else str(version)


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
