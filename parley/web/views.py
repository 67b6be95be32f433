from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from parley.cases.models import Participant


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    mine = (
        Participant.objects.filter(user_id=request.user.pk)
        .select_related("case")
        .order_by("-case__created_at")
    )
    return render(request, "web/dashboard.html", {"participations": mine})


def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})
