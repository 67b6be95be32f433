"""Account writes a person makes on their own account: profile, API tokens."""

from __future__ import annotations

import zoneinfo
from functools import cache

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from parley.accounts.models import (
    TOKEN_DAYS_MAX,
    AccountEvent,
    AccountEventKind,
    ApiToken,
    MediatorApplication,
    TokenScope,
    User,
)
from parley.accounts.signout import end_sessions
from parley.errors import BadInput, DomainError, NotFound


@cache
def time_zones() -> list[str]:
    return sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})


def languages() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]


def do_update_profile(*, acting_user: User, full_name: str, time_zone: str, language: str) -> User:
    full_name = " ".join(full_name.split())
    if not full_name:
        raise BadInput("empty_name", gettext("Give the name people should see."))
    if "\x00" in full_name or len(full_name) > 200:
        raise BadInput("bad_name", gettext("A name is at most 200 characters of text."))
    if time_zone not in time_zones():
        raise BadInput(
            "bad_time_zone", gettext("Choose a time zone from the list (e.g. Europe/Berlin).")
        )
    if language not in dict(languages()):
        raise BadInput("bad_language", gettext("Choose a language from the list."))
    acting_user.full_name = full_name
    acting_user.time_zone = time_zone
    acting_user.language = language
    acting_user.save(update_fields=["full_name", "time_zone", "language"])
    return acting_user


def do_create_token(*, acting_user: User, name: str, scope: str, days: int) -> tuple[ApiToken, str]:
    name = " ".join(name.split()) or "script"
    if scope not in TokenScope.values:
        raise BadInput(
            "bad_scope", gettext("A token is read-only (read) or read and write (full).")
        )
    if not 1 <= days <= TOKEN_DAYS_MAX:
        raise BadInput(
            "bad_expiry",
            gettext("A token lasts from 1 to %(days)s days.") % {"days": TOKEN_DAYS_MAX},
        )
    return ApiToken.issue(acting_user, name[:100], scope=scope, days=days)


def do_revoke_token(*, acting_user: User, token_id: int) -> ApiToken:
    """Someone else's token looks missing."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id, user=acting_user).first()
        if token is None:
            raise NotFound()
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


def check_operator(acting_user: User) -> None:
    """Operator tools answer like a missing page to everyone else."""
    if not (acting_user.is_active and acting_user.is_staff):
        raise NotFound()


def _notify(user: User, subject: str | Promise, body: str | Promise, **params: str) -> None:
    """Mail to `user`, written in their language."""

    def send() -> None:
        with translation.override(user.language):
            text = str(body) % params if params else str(body)
            send_mail(f"[Parley] {subject}", text, None, [user.email], fail_silently=True)

    transaction.on_commit(send)


def do_reset_second_factor(*, acting_user: User, user_id: int, reason: str) -> AccountEvent:
    """A person who lost their phone or passkey asks the operator: every factor (app, passkeys,
    recovery codes) is removed, their sessions end, they are told by mail, and the reset is
    recorded with who did it and why."""
    from allauth.mfa.models import Authenticator

    check_operator(acting_user)
    reason = " ".join(reason.split())
    if not reason or len(reason) > 500 or "\x00" in reason:
        raise BadInput(
            "reason_required", gettext("Say why (at most 500 characters): it is recorded.")
        )
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise NotFound()
        removed, _ = Authenticator.objects.filter(user=user).delete()
        if not removed:
            raise DomainError(
                "no_second_factor", gettext("This account has no second factor to reset.")
            )
        event = AccountEvent.objects.create(
            user=user, actor=acting_user, kind=AccountEventKind.SECOND_FACTOR_RESET, reason=reason
        )
        _notify(
            user,
            gettext_lazy("Your second factor was reset"),
            gettext_lazy(
                "The operator of this Parley server removed the second factor (authenticator "
                "app, passkeys, recovery codes) from your account, as you asked. Sign in with "
                "your password and set up a new one. If you did not ask for this, tell the "
                "operator at once."
            ),
        )
    transaction.on_commit(lambda: end_sessions(user))
    return event


def _verified(user: User) -> bool:
    from allauth.account.models import EmailAddress

    found: bool = EmailAddress.objects.filter(
        user=user, email__iexact=user.email, verified=True
    ).exists()
    return found


def do_decide_mediator(*, acting_user: User | None, user_id: int, approve: bool) -> User:
    """The operator approves or refuses a mediator who signed up (acting_user None: open
    sign-up approving a verified address by itself). Recorded; the person is told by mail."""
    if acting_user is not None:
        check_operator(acting_user)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise NotFound()
        if user.mediator_application != MediatorApplication.PENDING:
            raise DomainError(
                "not_pending", gettext("This account has no mediator sign-up to decide.")
            )
        if approve and not _verified(user):
            raise DomainError(
                "address_not_verified",
                gettext("The address is not verified yet: approve it once it is."),
            )
        user.mediator_application = "" if approve else MediatorApplication.REFUSED
        user.can_mediate = approve
        user.save(update_fields=["mediator_application", "can_mediate"])
        AccountEvent.objects.create(
            user=user,
            actor=acting_user,
            kind=AccountEventKind.MEDIATOR_APPROVED
            if approve
            else AccountEventKind.MEDIATOR_REFUSED,
        )
        if approve:
            _notify(
                user,
                gettext_lazy("You can now mediate on Parley"),
                gettext_lazy(
                    "Your mediator account is approved. Sign in at %(url)s to start a "
                    "mediation. Before you issue an agreement you set up a second factor (an "
                    "authenticator app or a passkey)."
                ),
                url=f"{settings.SITE_URL}/login/",
            )
        else:
            _notify(
                user,
                gettext_lazy("Your mediator sign-up"),
                gettext_lazy(
                    "The operator of this Parley server did not approve your mediator "
                    "account. You can still take part in mediations you are invited to."
                ),
            )
    return user


def on_email_confirmed(sender: object, request: object, email_address: object, **_: object) -> None:
    """Open sign-up: a mediator's verified address is all it takes."""
    user = getattr(email_address, "user", None)
    if (
        settings.PARLEY_MEDIATOR_SIGNUP == "open"
        and isinstance(user, User)
        and user.mediator_application == MediatorApplication.PENDING
    ):
        do_decide_mediator(acting_user=None, user_id=user.pk, approve=True)
