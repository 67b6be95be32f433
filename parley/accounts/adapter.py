"""Parley's choices inside django-allauth's flows (its documented adapter hooks)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.usersessions.adapter import DefaultUserSessionsAdapter
from allauth.usersessions.models import UserSession
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from parley.vault.keys import open_account_secret, seal_account_secret

logger = logging.getLogger("parley.accounts")


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People join through an invitation; only mediators sign up (PARLEY_MEDIATOR_SIGNUP).
        from parley.accounts.signup import signup_open

        return signup_open()

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            typed = str(credentials.get("email") or credentials.get("username") or "")
            logger.warning(
                "sign-in throttled for %r from %s", typed[:254], self.get_client_ip(request)
            )
            raise

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        """Every failed sign-in is logged with the address typed and the client address, never
        the password."""
        typed = str(credentials.get("email") or credentials.get("username") or "")
        logger.warning("sign-in failed for %r from %s", typed[:254], self.get_client_ip(request))


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]
    """Authenticator-app keys are stored sealed under the master key (R11.3), like every
    secret a copy of the database must not reveal."""

    def encrypt(self, text: str) -> str:
        return seal_account_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return open_account_secret(encrypted_text)


class UserSessionsAdapter(DefaultUserSessionsAdapter):  # type: ignore[misc]
    def end_sessions(self, sessions: Iterable[UserSession]) -> None:
        """An ended session also closes the WebSockets opened with it: nothing more reaches a
        tab left open on another device."""
        from parley.realtime.publish import close_sockets_of_session

        for session in sessions:
            key = session.session_key
            session.end()
            close_sockets_of_session(key)
