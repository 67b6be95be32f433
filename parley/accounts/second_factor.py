"""R11.2 checks that ask allauth.mfa whether a person holds a second factor."""

from __future__ import annotations

from allauth.mfa.adapter import get_adapter
from django.conf import settings
from django.utils.translation import gettext

from parley.accounts.models import User
from parley.accounts.policy import SecondFactorRule, must_enrol_before_using, must_enrol_to_issue
from parley.errors import Forbidden
from parley.vault.keys import reseal_account_secret


def has_second_factor(user: User) -> bool:
    return bool(get_adapter().is_mfa_enabled(user))


def rule() -> SecondFactorRule:
    return SecondFactorRule(settings.PARLEY_SECOND_FACTOR)


def check_can_issue(user: User) -> None:
    if must_enrol_to_issue(has_factor=has_second_factor(user)):
        raise Forbidden(
            "second_factor_required",
            gettext(
                "Set up a second factor (an authenticator app or a passkey) on your account "
                "page before you issue an agreement: mediators hold other people's secrets."
            ),
        )


def enrol_totp(user: User, secret: str) -> None:
    """Give `user` an authenticator app with a known base32 secret, stored as allauth's TOTP
    activation stores it (its model, its adapter's encryption). Only the demo mediator and
    tests use a known secret; people enrol their own on their account page."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": get_adapter().encrypt(secret)}
    )


def must_enrol_now(user: User) -> bool:
    return must_enrol_before_using(rule=rule(), has_factor=has_second_factor(user))


def totp_code(secret: str, *, at: float | None = None, step: int = 0) -> str:
    """RFC 6238 (SHA-1, 6 digits, 30 s), as authenticator apps compute it: for the demo's
    `parley demo --code`, and so tests check allauth's verification against a computation of
    their own. `step` moves to a neighbouring period."""
    import base64
    import hashlib
    import hmac
    import struct
    import time

    counter = int(time.time() if at is None else at) // 30 + step
    digest = hmac.new(
        base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1
    ).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


SEALED_FIELDS = ("secret", "seed")  # a TOTP key; the seed of the recovery codes


def reseal_secrets(old_master: bytes, new_master: bytes) -> int:
    """After `parley keys rotate`: every authenticator's secret sealed under the new master key.
    Returns how many authenticators were re-sealed. Precondition: inside the rotation's
    transaction."""
    from allauth.mfa.models import Authenticator

    count = 0
    for authenticator in Authenticator.objects.select_for_update():
        data = dict(authenticator.data)
        fields = [f for f in SEALED_FIELDS if isinstance(data.get(f), str)]
        if not fields:
            continue
        for name in fields:
            data[name] = reseal_account_secret(data[name], old_master, new_master)
        authenticator.data = data
        authenticator.save(update_fields=["data"])
        count += 1
    return count
