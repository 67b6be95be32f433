"""My calendar feed: its secret address, regenerate and revoke; and the feed itself."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from parley.accounts.auth import request_user as signed_in
from parley.errors import NotFound
from parley.meetings.feeds import do_regenerate_feed, do_revoke_feed, feed_for_token, feed_of


def feed_url(token: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/calendar/{token}.ics"


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    feed = feed_of(signed_in(request))
    return render(request, "web/calendar.html", {"url": feed_url(feed.token) if feed else None})


@require_POST
@login_required
def regenerate(request: HttpRequest) -> HttpResponse:
    do_regenerate_feed(acting_user=signed_in(request))
    messages.success(
        request, gettext("Your calendar feed has a new address. The old one no longer works.")
    )
    return redirect("calendar")


@require_POST
@login_required
def revoke(request: HttpRequest) -> HttpResponse:
    do_revoke_feed(acting_user=signed_in(request))
    messages.success(
        request, gettext("Your calendar feed is switched off. Its address no longer works.")
    )
    return redirect("calendar")


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """No sign-in: calendar apps fetch it. The secret address is the key."""
    try:
        body = feed_for_token(token)
    except NotFound:
        return HttpResponse(
            b'{"code": "not_found", "detail": "Not found."}',
            status=404,
            content_type="application/json",
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
