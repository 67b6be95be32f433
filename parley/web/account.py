"""Account pages around django-allauth's views: sign-in answers 429 once it is throttled."""

from __future__ import annotations

from typing import Any

from allauth.account.views import LoginView
from django.http import HttpResponse


class SignInView(LoginView):  # type: ignore[misc]
    def form_invalid(self, form: Any) -> HttpResponse:
        response: HttpResponse = super().form_invalid(form)
        codes = {error.code for error in form.non_field_errors().as_data()}
        if "too_many_login_attempts" in codes:
            response.status_code = 429
        return response
