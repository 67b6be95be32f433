from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from parley.accounts.models import User
from parley.cases.models import Participant


def signed_in(request: HttpRequest) -> User:
    """Precondition: the view is login_required."""
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    mine = (
        Participant.objects.filter(user=signed_in(request))
        .select_related("case")
        .order_by("-case__created_at")
    )
    return render(request, "web/dashboard.html", {"participations": mine})


def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})
