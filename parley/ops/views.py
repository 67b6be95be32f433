"""Probes for a load balancer or an orchestrator, and the backstop error page."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from parley.ops.health import is_database_outage, readiness
from parley.ops.middleware import api_error_response, unavailable_response


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is up and serving. Touches nothing else, so a database outage does not get
    healthy workers restarted."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """Ready to serve traffic: the database and the channel layer both answer."""
    state = readiness()
    body = {
        "status": "ok" if state.ready else "unavailable",
        "database": "ok" if state.database else "down",
        "channel_layer": "ok" if state.channel_layer else "down",
    }
    return JsonResponse(body, status=200 if state.ready else 503)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: the API's `{"code", "detail"}`, or the one "not found" page (R3.6)."""
    if request.path.startswith("/api/"):
        return api_error_response(404)
    from parley.web.pages import not_found as not_found_page

    return not_found_page(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an outage raised outside a view (e.g. in a middleware) is still a 503."""
    exc = sys.exc_info()[1]
    if exc is not None and is_database_outage(exc):
        return unavailable_response(request)
    if request.path.startswith("/api/"):
        return api_error_response(500)
    return HttpResponse(
        format_html(
            "<!doctype html><title>{}</title><h1>{}</h1><p>{}</p>",
            gettext("Server error"),
            gettext("Something went wrong"),
            gettext(
                "The error was logged. Try again, and tell the operator if it keeps happening."
            ),
        ),
        status=500,
    )
