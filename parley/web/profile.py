"""The person's own account pages: profile, API tokens (allauth serves password, e-mail,
sessions and second factor)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from parley.accounts.actions import (
    do_create_token,
    do_revoke_token,
    do_update_profile,
    languages,
    time_zones,
)
from parley.accounts.auth import request_user as signed_in
from parley.accounts.models import TOKEN_DAYS_DEFAULT, TOKEN_DAYS_MAX, ApiToken, TokenScope
from parley.accounts.signout import end_sessions
from parley.errors import DomainError, NotFound
from parley.meetings.times import reader_zone, zone_of_user
from parley.web.pages import not_found


class ProfileForm(forms.Form):
    full_name = forms.CharField(max_length=200)
    time_zone = forms.CharField(max_length=64)
    language = forms.CharField(max_length=16)


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100)
    scope = forms.ChoiceField(choices=TokenScope.choices)
    days = forms.IntegerField(min_value=1, max_value=TOKEN_DAYS_MAX)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                do_update_profile(acting_user=user, **form.cleaned_data)
            except DomainError as exc:
                messages.error(request, exc.detail)
                status = 422
            else:
                messages.success(request, gettext("Your profile is saved."))
                return redirect("profile")
        else:
            messages.error(request, gettext("Give your name, a time zone and a language."))
            status = 422
    return render(
        request,
        "web/profile.html",
        {
            "time_zones": time_zones(),
            "languages": languages(),
            # Until the person chooses, the zone their browser reports is the first guess.
            "my_zone": reader_zone(request),
            "zone_guessed": not zone_of_user(user) and reader_zone(request) != "UTC",
        },
        status=status,
    )


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    created = None
    status = 200
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                token, raw = do_create_token(acting_user=user, **form.cleaned_data)
            except DomainError as exc:
                messages.error(request, exc.detail)
                status = 422
            else:
                created = {"token": token, "raw": raw}
        else:
            messages.error(request, gettext("Give the token a name, a scope and 1 to 365 days."))
            status = 422
    return render(
        request,
        "web/tokens.html",
        {
            "tokens": ApiToken.objects.filter(user=user).order_by("-created_at"),
            "created": created,
            "scopes": TokenScope.choices,
            "default_days": TOKEN_DAYS_DEFAULT,
            "max_days": TOKEN_DAYS_MAX,
        },
        status=status,
    )


@require_POST
@login_required
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = do_revoke_token(acting_user=signed_in(request), token_id=token_id)
    except NotFound:
        return not_found(request)
    messages.success(request, gettext("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("tokens")


@require_POST
@login_required
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """Every session of this person ends, this one included, and their sockets close."""
    end_sessions(signed_in(request))
    logout(request)
    return redirect("login")
