"""A database outage answers 503 with a clear message, never a 500 page or a hang."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy

from parley.ops.health import is_database_outage

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
DETAIL = gettext_lazy("Parley cannot reach its database right now. Try again in a moment.")


def unavailable_response(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": "unavailable", "detail": DETAIL}, status=503)
    else:
        response = HttpResponse(
            format_html(
                "<!doctype html><title>{}</title><h1>{}</h1><p>{}</p>",
                gettext("Unavailable"),
                gettext("Parley is briefly unavailable"),
                DETAIL,
            ),
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Only outages (see health.is_database_outage) are turned into 503; every other error keeps
    its normal path so bugs still surface as 500s."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_outage(exception):
            return None
        logger.warning("database outage on %s %s: %s", request.method, request.path, exception)
        return unavailable_response(request)


def on_api_database_error(request: HttpRequest, exc: Any) -> HttpResponse:
    """For the API's own handler table (parley/api.py): django-ninja answers exceptions itself
    when DEBUG is on (a 500 with a traceback), before any middleware sees them."""
    if is_database_outage(exc):
        logger.warning("database outage on %s %s: %s", request.method, request.path, exc)
        return unavailable_response(request)
    raise exc


# What an API refusal says when the answer was made outside Parley's own handlers (Django's
# resolver, django-ninja's method check, the body-size guard): a stable code per status.
_API_CODES = {
    400: ("bad_request", gettext_lazy("The request could not be understood.")),
    401: ("not_authenticated", gettext_lazy("Sign in, or send a valid API token.")),
    403: ("forbidden", gettext_lazy("Not allowed.")),
    404: ("not_found", gettext_lazy("Not found.")),
    405: ("method_not_allowed", gettext_lazy("This address does not accept that method.")),
    413: ("too_large", gettext_lazy("The request is larger than Parley accepts.")),
    500: ("server_error", gettext_lazy("Something went wrong. The error was logged.")),
}


def api_error_response(status: int) -> JsonResponse:
    code, detail = _API_CODES.get(status, ("error", gettext_lazy("The request was refused.")))
    return JsonResponse({"code": code, "detail": detail}, status=status)


class ResponseHeadersMiddleware:
    """Headers every answer Parley makes carries (R11.5).

    - `Cache-Control: no-store`: pages and API answers carry confidential content; nothing may
      keep a copy (a shared computer's browser cache, a proxy). Static files are answered by
      WhiteNoise before this middleware and keep their long cache.
    - `Permissions-Policy`: the browser features Parley never uses are off.
    - An API refusal that is not already JSON (a 404 from the resolver, a 405 from the method
      check, a 413, a 500) becomes `{"code", "detail"}`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from django.conf import settings

        self.get_response = get_response
        self.permissions_policy: str = settings.PARLEY_PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            allow = response.get("Allow")
            response = api_error_response(response.status_code)
            if allow:
                response["Allow"] = allow
        if "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "no-store"
        response["Permissions-Policy"] = self.permissions_policy
        return response
