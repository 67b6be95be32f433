"""What every page shares: who is signed in, the one 404, and HTMX-or-plain responses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from parley.errors import DomainError, NotFound
from parley.vault.keys import ContentDestroyed

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponseBase]


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def not_found(request: HttpRequest) -> HttpResponse:
    """Missing and forbidden look exactly the same (R3.6)."""
    return render(request, "web/not_found.html", status=404)


def back(request: HttpRequest) -> HttpResponse:
    """Where the person came from, if that is this site; else their dashboard."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(referer)
    return HttpResponseRedirect("/")


def member_page(view: View[P]) -> View[P]:
    """Signed in, and any NotFound from the access helpers becomes the one 404 page.

    Other refusals (DomainError) reaching here become a message on the page the person came
    from, so a plain form post without JavaScript still explains itself."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            return not_found(request)
        except ContentDestroyed as gone:
            # R11.4: the case key is destroyed; every page of the case says so.
            return render(request, "web/destroyed.html", {"detail": gone.detail}, status=410)
        except DomainError as exc:
            refusal(request, exc)
            return back(request)

    return cast(View[P], login_required(wrapper))


def refusal(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.detail)
