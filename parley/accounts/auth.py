"""API authentication: the browser's session (with CSRF), or a personal token for scripts."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from parley.accounts.models import ApiToken, User, hash_token
from parley.errors import DomainError

logger = logging.getLogger("parley.accounts")


class Throttled(DomainError):
    status = 429

    def __init__(self) -> None:
        super().__init__(
            "too_many_attempts",
            "Too many failed attempts from your address: wait a few minutes, then try again.",
        )


def request_user(request: HttpRequest) -> User:
    """The signed-in user. Precondition: authentication already ran (API auth or
    login_required), so an anonymous request never gets here."""
    user = request.user
    assert isinstance(user, User)
    return user


def count_token_failure(request: HttpRequest) -> None:
    """Guessing tokens is throttled per client address, like failed sign-ins (GETs included:
    allauth's rate limiter leaves GETs alone, so this is a plain cache counter)."""
    address = get_adapter().get_client_ip(request)
    logger.warning("API token refused from %s", address)
    key = f"parley:token-failures:{address}"
    window = settings.PARLEY_SIGNIN_WINDOW_SECONDS
    cache.add(key, 0, timeout=window)
    try:
        failures = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        failures = 1
    if failures > settings.PARLEY_SIGNIN_FAILURES_PER_ADDRESS:
        raise Throttled()


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = None
        if "\x00" not in token and len(token) <= 200:
            found = (
                ApiToken.objects.select_related("user").filter(token_hash=hash_token(token)).first()
            )
        if found is None or not found.user.is_active:
            count_token_failure(request)
            return None
        now = timezone.now()
        # A write on every request would serialise readers on SQLite; a minute's precision is
        # plenty for "last used".
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


API_AUTH = [TokenAuth(), SessionAuth(csrf=True)]
