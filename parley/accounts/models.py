from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        """Parley's own account creation (an accepted invitation, the operator's command, the
        demo): the address reached its owner, so it is recorded as verified. People who sign up
        themselves go through allauth, which verifies the address by mail."""
        from allauth.account.models import EmailAddress

        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save()
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class MediatorApplication(models.TextChoices):
    NONE = "", "none"
    PENDING = "pending", "awaiting the operator's approval"
    REFUSED = "refused", "refused by the operator"


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address.

    `is_staff` marks the operator (R1.3): operator tools show metadata only.
    """

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    can_mediate = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # An IANA zone name ("Europe/Berlin"): times on pages and in mails are shown in it.
    time_zone = models.CharField(max_length=64, default="UTC")
    # A code from settings.LANGUAGES: the language of pages and mails.
    language = models.CharField(max_length=16, default="en-gb")
    # A mediator who signed up: pending until the operator approves (PARLEY_MEDIATOR_SIGNUP).
    mediator_application = models.CharField(
        max_length=16, choices=MediatorApplication.choices, default="", blank=True
    )

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class TokenScope(models.TextChoices):
    READ = "read", gettext_lazy("Read only")
    FULL = "full", gettext_lazy("Read and write")


TOKEN_DAYS_DEFAULT = 90
TOKEN_DAYS_MAX = 365


class ApiToken(models.Model):
    """A personal API token for scripts. Only its SHA-256 is stored. It expires, can be
    revoked, and a read-only one is refused every write."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=8, choices=TokenScope.choices, default=TokenScope.FULL)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    @classmethod
    def issue(
        cls,
        user: User,
        name: str,
        *,
        scope: str = TokenScope.FULL,
        days: int = TOKEN_DAYS_DEFAULT,
    ) -> tuple[ApiToken, str]:
        raw = "pk_" + secrets.token_urlsafe(32)
        now = timezone.now()
        token = cls.objects.create(
            user=user,
            name=name,
            token_hash=hash_token(raw),
            scope=scope,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        return token, raw

    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"


class AccountEventKind(models.TextChoices):
    SECOND_FACTOR_RESET = "second_factor_reset", gettext_lazy("Second factor reset by the operator")
    MEDIATOR_APPROVED = "mediator_approved", gettext_lazy("Approved as a mediator by the operator")
    MEDIATOR_REFUSED = "mediator_refused", gettext_lazy("Mediator sign-up refused by the operator")


class AccountEvent(models.Model):
    """What the operator did to an account, kept for good: who, what, when and why (never
    mediation content). Append-only: nothing updates or deletes these rows."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="account_events")
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="account_events_made", null=True
    )
    kind = models.CharField(max_length=40, choices=AccountEventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user} ({self.at:%Y-%m-%d})"
