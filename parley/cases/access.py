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


READ_ROW = "SELECT * FROM cases_case WHERE id = %s"
LOCK_ROW = READ_ROW + " FOR UPDATE"


def lock_case(case_id: int) -> Case:
    """The one lock: the case row, held until the transaction ends. Every change to a case
    (its people, its agreement, its entries, its audit chain) happens under it, so
    check-then-change cannot interleave.

    Precondition: inside transaction.atomic(). (SQLite has no row locks: Parley's SQLite
    transactions are IMMEDIATE, so the writer already holds the database's write lock.)"""
    if not connections["default"].in_atomic_block:
        raise RuntimeError("lock_case() needs a transaction")
    # Every write starts here, so the statement is written once rather than compiled by the
    # ORM on every call.
    locks_rows = connections["default"].features.has_select_for_update
    found = list(Case.objects.raw(LOCK_ROW if locks_rows else READ_ROW, [case_id]))
    if not found:
        raise NotFound()
    return found[0]


def enter_case(acting_user: User, case_id: int) -> tuple[CaseContext, Participant]:
    """How every action begins: the case locked (lock_case), the policy's context of it, and
    the acting user's participation. Precondition: inside transaction.atomic()."""
    if not acting_user.is_authenticated:
        raise NotFound()
    case = lock_case(case_id)
    ctx = roster.context_for(case)
    # The context holds every participant of the case (read after the lock, like the rest of it).
    mine = [p for p in ctx.participants.values() if p.user_id == acting_user.pk]
    if not mine:
        raise NotFound()
    me = copy.copy(mine[0])  # the context's instances are shared and only read
    me.user = acting_user
    return ctx, me
