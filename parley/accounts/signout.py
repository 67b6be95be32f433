"""Ending a person's sessions: after a password change or reset, and "sign out everywhere"."""

from __future__ import annotations

from typing import Any

from allauth.usersessions.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from parley.accounts.models import User


def end_sessions(user: User, *, keep: str | None = None) -> int:
    """End every signed-in session of `user` except the one keyed `keep`, closing its sockets.
    Returns how many ended."""
    ending = []
    for session in UserSession.objects.filter(user=user):
        if session.session_key == keep:
            continue
        if not session.exists():
            # Gone from the store: the key this very request cycled (its browser's tabs now
            # hold the new one), or one that expired. Only the listing is left to tidy.
            session.delete()
            continue
        ending.append(session)
    get_adapter().end_sessions(ending)
    return len(ending)


def track_session(
    sender: Any, request: HttpRequest | None = None, user: Any = None, **_: Any
) -> None:
    """Every sign-in is listed (allauth lists its own; invitations sign people in too)."""
    if request is None or not hasattr(request, "session") or not isinstance(user, User):
        return
    try:
        UserSession.objects.create_from_request(request, user=user)
    except PermissionDenied:  # no client address (e.g. a test client's force_login)
        return


def on_password_changed(sender: Any, request: HttpRequest, user: Any, **_: Any) -> None:
    """A changed password ends the person's other sessions; a reset (made signed out) ends all."""
    if not isinstance(user, User):
        return
    current = request.user if request.user.is_authenticated else None
    keep = request.session.session_key if current is not None and current.pk == user.pk else None
    end_sessions(user, keep=keep)
