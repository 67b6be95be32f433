"""The mediator sign-up form (allauth's sign-up with the name a mediator is known by)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy

from parley.accounts.models import MediatorApplication, User


class MediatorSignupForm(forms.Form):
    """allauth's ACCOUNT_SIGNUP_FORM_CLASS: its fields join allauth's own (e-mail, password)."""

    full_name = forms.CharField(max_length=200, label=gettext_lazy("Your full name"))

    def signup(self, request: HttpRequest, user: User) -> None:
        user.full_name = " ".join(self.cleaned_data["full_name"].split())
        user.mediator_application = MediatorApplication.PENDING
        # The language they signed up in stays theirs until they change it on their profile.
        user.language = translation.get_language() or settings.LANGUAGE_CODE
        user.save(update_fields=["full_name", "mediator_application", "language"])
