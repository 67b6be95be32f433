"""Pages speak the signed-in person's language and show times in their time zone."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import cache

from django.contrib import messages
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone, translation

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
        translation.activate(user.language)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
            translation.deactivate()


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
            detail = "Set up a second factor (an authenticator app or a passkey) first."
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "second_factor_required", "detail": detail}, status=403
                )
            messages.info(request, detail)
            return redirect("mfa_index")
        return self.get_response(request)
