"""Pages speak the signed-in person's language and show times in their time zone.

For everyone else, LocaleMiddleware (before this one) has already chosen the language: the one
picked with the sign-in page's switch (a cookie), else the browser's Accept-Language, else
settings.LANGUAGE_CODE."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext

from parley.accounts.policy import SecondFactorRule


@cache
def _zone(name: str) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class PersonalSettingsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        zone = _zone(user.time_zone)
        if zone is not None:
            timezone.activate(zone)
        # A code no longer offered (or never valid) falls back to its nearest offered variant.
        try:
            language = translation.get_supported_language_variant(user.language)
        except LookupError:
            language = settings.LANGUAGE_CODE
        try:
            with translation.override(language):
                response = self.get_response(request)
        finally:
            timezone.deactivate()
        # LocaleMiddleware only fills the header when it is missing: the account's language wins.
        response.headers["Content-Language"] = language
        return response


# Under PARLEY_SECOND_FACTOR=everyone, these stay open to an account without a second factor:
# its own account pages (to enrol one), signing out, static files and health checks.
OPEN_WITHOUT_FACTOR = ("/accounts/", "/account/", "/logout/", "/static/", "/healthz", "/readyz")


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        from parley.accounts.second_factor import must_enrol_now, rule

        user = getattr(request, "user", None)
        if (
            rule() is SecondFactorRule.EVERYONE
            and user is not None
            and user.is_authenticated
            and not request.path.startswith(OPEN_WITHOUT_FACTOR)
            and must_enrol_now(user)
        ):
            detail = gettext("Set up a second factor (an authenticator app or a passkey) first.")
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "second_factor_required", "detail": detail}, status=403
                )
            messages.info(request, detail)
            return redirect("mfa_index")
        return self.get_response(request)
