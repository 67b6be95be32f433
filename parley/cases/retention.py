"""Retention and crypto-shredding (R11.4): after a case ends its content is kept for the period
the agreement (or a shorter one the mediator set) allows; every participant is told once, 14
days before, and can export until then; then the case key is destroyed and the content is
unreadable for everyone, everywhere. The audit chain and the §7 report hold no content and keep
working."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parley.accounts.models import User
from parley.agreements.models import Agreement
from parley.audit.actions import record_event
from parley.cases.access import check_mediator, enter_case
from parley.cases.models import Case, Participant
from parley.cases.policy import (
    DEFAULT_RETENTION_DAYS,
    RetentionStep,
    check_can_shorten,
    effective_retention,
    retention_due,
    retention_step,
)
from parley.errors import DomainError
from parley.vault import keys


def agreed_days(case: Case) -> int:
    agreement = (
        Agreement.objects.filter(case=case, issued_at__isnull=False).order_by("-version").first()
    )
    if agreement is None or agreement.retention_days is None:
        return DEFAULT_RETENTION_DAYS
    return agreement.retention_days


def retention_days_of(case: Case) -> int:
    return effective_retention(agreed_days(case), case.retention_days)


def destruction_date(case: Case) -> datetime | None:
    if case.terminated_at is None:
        return None
    return retention_due(case.terminated_at, retention_days_of(case))


def do_shorten_retention(*, acting_user: User, case_id: int, days: int) -> Case:
    """The mediator keeps the content for fewer days than the agreement allows."""
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        case = ctx.case
        check_mediator(me)
        if case.content_destroyed_at is not None:
            raise DomainError("content_destroyed", _("The content is already destroyed."))
        check_can_shorten(retention_days_of(case), days)
        case.retention_days = days
        case.save(update_fields=["retention_days"])
        record_event(case, "retention_shortened", actor_id=me.pk, content_hashes={"days": days})
    return case


def _send_all(deliver: Callable[[Any, str], None], mail: Any, addresses: list[str]) -> None:
    for to in addresses:
        deliver(mail, to)


def enforce_retention(now: datetime | None = None) -> dict[str, int]:
    """The scheduled job: notices that are due, then keys whose time has come. Each case in its
    own transaction under its lock, so a notice is sent once and a key destroyed once."""
    from parley.notifications.mail import deliver, retention_mail

    now = now or timezone.now()
    done = {"notices": 0, "destroyed": 0}
    ended = Case.objects.filter(terminated_at__isnull=False, content_destroyed_at__isnull=True)
    for case_id in ended.values_list("pk", flat=True):
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case_id)
            days = retention_days_of(case)
            step = retention_step(
                now,
                case.terminated_at,
                days,
                notice_sent=case.retention_notice_at is not None,
                destroyed=case.content_destroyed_at is not None,
            )
            if step == RetentionStep.NOTICE:
                due = retention_due(case.terminated_at, days)  # type: ignore[arg-type]
                people = Participant.objects.filter(case=case).select_related("user")
                mail = retention_mail(case, due)
                addresses = [p.user.email for p in people]
                transaction.on_commit(partial(_send_all, deliver, mail, addresses))
                case.retention_notice_at = now
                case.save(update_fields=["retention_notice_at"])
                record_event(
                    case, "retention_notice_sent", actor_id=None, content_hashes={"days": days}
                )
                done["notices"] += 1
            elif step == RetentionStep.DESTROY:
                when = keys.destroy(case.pk)
                case.content_destroyed_at = when
                case.save(update_fields=["content_destroyed_at"])
                record_event(
                    case, "content_destroyed", actor_id=None, content_hashes={"days": days}
                )
                done["destroyed"] += 1
    return done
