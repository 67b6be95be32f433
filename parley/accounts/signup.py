"""Mediator sign-up (PARLEY_MEDIATOR_SIGNUP): approval, open or closed."""

from __future__ import annotations

from django.conf import settings


def signup_open() -> bool:
    return settings.PARLEY_MEDIATOR_SIGNUP != "closed"
