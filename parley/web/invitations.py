"""Accepting an invitation: new people choose a password, known people sign in first."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext

from parley.accounts.models import User
from parley.cases.actions import (
    InvitationUsed,
    do_accept_invitation,
    mark_invitation_opened,
    read_invitation,
)
from parley.cases.models import Invitation
from parley.errors import DomainError, NotFound
from parley.web.forms import NewAccountForm
from parley.web.pages import not_found


def _page(
    request: HttpRequest, invitation: Invitation, token: str, error: str = ""
) -> HttpResponse:
    user = request.user
    return render(
        request,
        "web/invitation.html",
        {
            "invitation": invitation,
            "token": token,
            "error": error,
            "is_invitee": user.is_authenticated
            and isinstance(user, User)
            and user.email.lower() == invitation.email,
            "sign_in_url": reverse("login")
            + "?"
            + urlencode({"next": reverse("invitation", args=[token])}),
        },
        status=422 if error else 200,
    )


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = read_invitation(token)
    except InvitationUsed:
        return render(request, "web/invitation_used.html", status=410)
    except NotFound:
        return not_found(request)
    if request.method != "POST":
        mark_invitation_opened(invitation)
        return _page(request, invitation, token)
    user = request.user
    if not user.is_authenticated:
        if User.objects.filter(email__iexact=invitation.email).exists():
            return _page(
                request, invitation, token, gettext("You already have an account: sign in first.")
            )
        form = NewAccountForm(request.POST)
        if not form.is_valid():
            return _page(
                request, invitation, token, gettext("Choose a password and type it twice.")
            )
        password = form.cleaned_data["password"]
        if password != form.cleaned_data["password_again"]:
            return _page(request, invitation, token, gettext("The two passwords are not the same."))
        try:
            validate_password(
                password, User(email=invitation.email, full_name=invitation.display_name)
            )
        except ValidationError as exc:
            return _page(request, invitation, token, " ".join(exc.messages))
        with transaction.atomic():
            # The language they read the invitation in stays theirs until they change it.
            user = User.objects.create_user(
                invitation.email,
                password,
                full_name=invitation.display_name,
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    assert isinstance(user, User)
    try:
        participant = do_accept_invitation(acting_user=user, token=token)
    except InvitationUsed:
        return render(request, "web/invitation_used.html", status=410)
    except NotFound:
        return not_found(request)
    except DomainError as exc:
        return _page(request, invitation, token, exc.detail)
    return redirect("case", case_id=participant.case_id)
