"""What the operator sees (R1.3): accounts, and cases as metadata only (title, state, counts,
dates). No entry, note, offer, rating or document text is ever read here."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.db.models import Count, Exists, OuterRef, Q

from parley.accounts.actions import check_operator
from parley.accounts.models import AccountEvent, User
from parley.cases.models import Case
from parley.cases.policy import Role


def accounts(operator: User) -> list[dict[str, Any]]:
    check_operator(operator)
    rows = (
        User.objects.annotate(
            has_second_factor=Exists(Authenticator.objects.filter(user=OuterRef("pk")))
        )
        .order_by("-date_joined")
        .values(
            "id",
            "email",
            "full_name",
            "is_active",
            "is_staff",
            "can_mediate",
            "mediator_application",
            "date_joined",
            "last_login",
            "has_second_factor",
        )
    )
    return [dict(row) for row in rows]


def account_events(operator: User, limit: int = 100) -> list[AccountEvent]:
    check_operator(operator)
    return list(AccountEvent.objects.select_related("user", "actor").order_by("-at")[:limit])


def cases(operator: User) -> list[dict[str, Any]]:
    check_operator(operator)
    rows = (
        Case.objects.annotate(
            people=Count("participants", distinct=True),
            parties=Count("participants", filter=Q(participants__role=Role.PARTY), distinct=True),
            entries_count=Count("entries", distinct=True),
            offers_count=Count("offers", distinct=True),
        )
        .order_by("-created_at")
        .values(
            "id",
            "title",
            "status",
            "outcome",
            "created_at",
            "activated_at",
            "terminated_at",
            "people",
            "parties",
            "entries_count",
            "offers_count",
        )
    )
    return [dict(row) for row in rows]
