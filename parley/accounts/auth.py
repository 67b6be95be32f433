"""API authentication: the browser's session (with CSRF), or a personal token for scripts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from parley.accounts.models import ApiToken, User, hash_token


def request_user(request: HttpRequest) -> User:
    """The signed-in user. Precondition: authentication already ran (API auth or
    login_required), so an anonymous request never gets here."""
    user = request.user
    assert isinstance(user, User)
    return user


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if "\x00" in token or len(token) > 200:
            return None
        found = ApiToken.objects.select_related("user").filter(token_hash=hash_token(token)).first()
        if found is None or not found.user.is_active:
            return None
        now = timezone.now()
        # A write on every request would serialise readers on SQLite; a minute's precision is
        # plenty for "last used".
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


API_AUTH = [TokenAuth(), SessionAuth(csrf=True)]
