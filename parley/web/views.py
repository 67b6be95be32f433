from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from parley.accounts.auth import request_user as signed_in
from parley.cases.models import Participant
from parley.cases.record import export_for
from parley.cases.record_pdf import record_pdf
from parley.errors import NotFound
from parley.web.pages import member_page


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    mine = (
        Participant.objects.filter(user=user).select_related("case").order_by("-case__created_at")
    )
    return render(
        request, "web/dashboard.html", {"participations": mine, "can_mediate": user.can_mediate}
    )


@member_page
def record(request: HttpRequest, case_id: int, fmt: str) -> HttpResponse:
    """Download my record of the case (R5.2): exactly what I can see, stamped."""
    user = signed_in(request)
    if fmt not in ("pdf", "json"):
        raise NotFound()
    if fmt == "pdf":
        pdf, name = record_pdf(user, case_id)
        response = HttpResponse(pdf, content_type="application/pdf")
    else:
        data = export_for(user, case_id)
        name = f"parley-case-{case_id}-record.json"
        response = HttpResponse(
            json.dumps(data, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
