from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from parley.accounts.auth import request_user as signed_in
from parley.accounts.models import User
from parley.cases.access import access_case
from parley.cases.policy import Role
from parley.cases.record import report_for
from parley.cases.record_pdf import report_pdf
from parley.errors import NotFound
from parley.meetings.times import reader_zone
from parley.money import currency_choices, default_currency
from parley.notifications.access import access_export, export_content, my_exports
from parley.notifications.actions import do_request_export
from parley.notifications.models import ExportFormat
from parley.vault.keys import ContentDestroyed
from parley.web.dashboard import SORTS, STATES, Query, dashboard_rows
from parley.web.pages import member_page
from parley.web.presenters import room_tab_label


@require_GET
def words(request: HttpRequest) -> HttpResponse:
    """The short glossary every badge links to: the same for everyone, no case data."""
    return render(request, "web/words.html")


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
            "currencies": currency_choices() if user.can_mediate else [],
            "default_currency": default_currency(),
            "states": [(k, label) for k, (label, _) in STATES.items()],
            "sorts": list(SORTS.items()),
        },
    )


@member_page
def record(request: HttpRequest, case_id: int) -> HttpResponse:
    """My record of the case (R5.2): ask for a PDF or a JSON file, watch it being made,
    download it. Exactly what I can see, stamped; made off the request path."""
    user = signed_in(request)
    case, _ = access_case(user, case_id)
    if case.content_destroyed_at is not None:
        raise ContentDestroyed(case.content_destroyed_at)
    if request.method == "POST":
        fmt = request.POST.get("format", "")
        if fmt not in ExportFormat.values:
            raise NotFound()
        do_request_export(acting_user=user, case_id=case_id, fmt=ExportFormat(fmt))
        return redirect("record", case_id)
    return render(
        request,
        "web/record.html",
        {"case": case, "keep_hours": settings.PARLEY_EXPORT_KEEP_HOURS, **_exports(user, case_id)},
    )


@member_page
def record_progress(request: HttpRequest, case_id: int) -> HttpResponse:
    """The list of my exports, polled by the page while one is being made."""
    user = signed_in(request)
    case, _ = access_case(user, case_id)
    return render(request, "web/parts/exports.html", {"case": case, **_exports(user, case_id)})


def _exports(user: User, case_id: int) -> dict[str, Any]:
    jobs = my_exports(user, case_id)
    return {"exports": jobs, "working": any(job.unfinished for job in jobs)}


@member_page
def record_download(request: HttpRequest, case_id: int, job_id: int) -> HttpResponse:
    """The finished file, to the person who asked for it and no one else."""
    job = access_export(signed_in(request), job_id)
    if job.case_id != case_id:
        raise NotFound()
    content, name, kind = export_content(job)
    response = HttpResponse(content, content_type=kind)
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
