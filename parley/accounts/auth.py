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
from django.utils.translation import gettext
from ninja.security import HttpBearer, SessionAuth

from parley.accounts.models import ApiToken, TokenScope, User, hash_token
from parley.errors import DomainError, Forbidden

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

logger = logging.getLogger("parley.accounts")


class Throttled(DomainError):
    status = 429

    def __init__(self) -> None:
        super().__init__(
            "too_many_attempts",
            gettext(
                "Too many failed attempts from your address: wait a few minutes, then try again."
            ),
        )


def request_user(request: HttpRequest) -> User:
    """The signed-in user. Precondition: authentication already ran (API auth or
    login_required), so an anonymous request never gets here."""
    user = request.user
    assert isinstance(user, User)
    return user


def find_token(raw: str) -> ApiToken | None:
    if "\x00" in raw or len(raw) > 200:
        return None
    found = ApiToken.objects.select_related("user").filter(token_hash=hash_token(raw)).first()
    if found is None or not found.user.is_active:
        return None
    return found


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
        found = find_token(token)
        if found is None or not found.is_usable():
            # Unknown, revoked or expired: the same 401 as no token at all.
            count_token_failure(request)
            return None
        if found.scope == TokenScope.READ and request.method not in SAFE_METHODS:
            raise Forbidden(
                "read_only_token",
                gettext("This API token is read-only: it cannot change anything."),
            )
        now = timezone.now()
        # A write on every request would serialise readers on SQLite; a minute's precision is
        # plenty for "last used".
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class NoTokens(HttpBearer):
    """For token management: a token cannot mint, list or revoke tokens, only the signed-in
    browser can."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = find_token(token)
        if found is None or not found.is_usable():
            # As anywhere else: an unknown, revoked or expired token is a 401.
            count_token_failure(request)
            return None
        raise Forbidden(
            "token_not_allowed", "API tokens are managed while signed in, not with a token."
        )


API_AUTH = [TokenAuth(), SessionAuth(csrf=True)]
SESSION_ONLY = [NoTokens(), SessionAuth(csrf=True)]
