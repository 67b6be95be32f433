from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from parley.accounts.auth import request_user as signed_in
from parley.cases.access import access_case
from parley.cases.policy import Role
from parley.cases.record import export_for, report_for
from parley.cases.record_pdf import record_pdf, report_pdf
from parley.errors import NotFound
from parley.meetings.times import reader_zone
from parley.web.dashboard import SORTS, STATES, Query, dashboard_rows
from parley.web.pages import member_page
from parley.web.presenters import room_tab_label


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    found = dashboard_rows(user, Query.from_request(request), reader_zone(request))
    for row in found["rows"]:
        row["unread_rooms"] = [
            {**r, "label": room_tab_label(r["room"], row["p"])} for r in row["unread_rooms"]
        ]
    return render(
        request,
        "web/dashboard.html",
        {
            **found,
            "can_mediate": user.can_mediate,
            "states": [(k, label) for k, (label, _) in STATES.items()],
            "sorts": list(SORTS.items()),
        },
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


@member_page
def court_report(request: HttpRequest, case_id: int) -> HttpResponse:
    """The §7 report (R5.4) for the mediator, as a page."""
    user = signed_in(request)
    case, me = access_case(user, case_id)
    if me.role != Role.MEDIATOR:
        raise NotFound()
    return render(request, "web/report.html", {"case": case, "report": report_for(user, case_id)})


@member_page
def court_report_pdf(request: HttpRequest, case_id: int) -> HttpResponse:
    user = signed_in(request)
    _, me = access_case(user, case_id)
    if me.role != Role.MEDIATOR:
        raise NotFound()
    pdf, name = report_pdf(user, case_id)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def api_docs(request: HttpRequest) -> HttpResponse:
    """The API's documentation: Swagger UI from our vendored, pinned copy (never a CDN: the page
    shares its origin with the session cookie), started by a static script (no inline code)."""
    return render(request, "web/api_docs.html", {"openapi_url": "/api/v1/openapi.json"})
