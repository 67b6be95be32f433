from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from parley.cases.models import Participant
from parley.web.pages import signed_in


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    mine = (
        Participant.objects.filter(user=user).select_related("case").order_by("-case__created_at")
    )
    return render(
        request, "web/dashboard.html", {"participations": mine, "can_mediate": user.can_mediate}
    )
