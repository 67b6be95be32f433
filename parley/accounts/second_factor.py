"""R11.2 checks that ask allauth.mfa whether a person holds a second factor."""

from __future__ import annotations

from allauth.mfa.adapter import get_adapter
from django.conf import settings

from parley.accounts.models import User
from parley.accounts.policy import SecondFactorRule, must_enrol_before_using, must_enrol_to_issue
from parley.errors import Forbidden


def has_second_factor(user: User) -> bool:
    return bool(get_adapter().is_mfa_enabled(user))


def rule() -> SecondFactorRule:
    return SecondFactorRule(settings.PARLEY_SECOND_FACTOR)


def check_can_issue(user: User) -> None:
    if must_enrol_to_issue(has_factor=has_second_factor(user)):
        raise Forbidden(
            "second_factor_required",
            "Set up a second factor (an authenticator app or a passkey) on your account page "
            "before you issue an agreement: mediators hold other people's secrets.",
        )


def must_enrol_now(user: User) -> bool:
    return must_enrol_before_using(rule=rule(), has_factor=has_second_factor(user))
