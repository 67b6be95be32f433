"""Record exports made off the request path (R5.2): ask, watch the progress, download. Only the
person who asked ever sees a job or its file."""

from __future__ import annotations

import io
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import Router, Schema, Status

from parley.accounts.auth import request_user as the_user
from parley.apischema import ERRORS
from parley.notifications.access import access_export, export_content, my_exports
from parley.notifications.actions import do_request_export
from parley.notifications.models import ExportFormat, ExportJob, ExportStatus

router = Router(tags=["exports"])


class ExportIn(Schema):
    format: ExportFormat = ExportFormat.JSON


class ExportOut(Schema):
    id: int
    case: int
    format: str
    status: str
    done: int
    total: int
    problem: str | None
    created_at: str
    expires_at: str | None
    sha256: str | None
    download: str | None


def export_payload(job: ExportJob) -> dict[str, Any]:
    ready = job.status == ExportStatus.READY
    return {
        "id": job.pk,
        "case": job.case_id,
        "format": job.format,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "problem": job.problem or None,
        "created_at": job.created_at.isoformat(),
        "expires_at": job.expires_at.isoformat() if ready and job.expires_at else None,
        "sha256": job.sha256 or None,
        "download": f"/api/v1/exports/{job.pk}/download" if ready else None,
    }


@router.post("/cases/{case_id}/exports", response={202: ExportOut, **ERRORS})
def request_export(
    request: HttpRequest, case_id: int, payload: ExportIn | None = None
) -> Status[dict[str, Any]]:
    """Starts an export of my record (JSON by default, or `{"format": "pdf"}`). While one of
    mine for this case is waiting or being made, a second request is refused with 409
    `export_running`; `GET /cases/{id}/exports` shows it."""
    fmt = payload.format if payload is not None else ExportFormat.JSON
    job = do_request_export(acting_user=the_user(request), case_id=case_id, fmt=fmt)
    return Status(202, export_payload(job))


@router.get("/cases/{case_id}/exports", response={200: list[ExportOut], **ERRORS})
def list_exports(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    """My exports of this case, newest first (the last 20)."""
    return [export_payload(job) for job in my_exports(the_user(request), case_id)]


@router.get("/exports/{job_id}", response={200: ExportOut, **ERRORS})
def get_export(request: HttpRequest, job_id: int) -> dict[str, Any]:
    return export_payload(access_export(the_user(request), job_id))


@router.get("/exports/{job_id}/download", response={200: None, **ERRORS})
def download_export(request: HttpRequest, job_id: int) -> FileResponse:
    """The finished file, to the person who asked for it and no one else."""
    content, name, kind = export_content(access_export(the_user(request), job_id))
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=name, content_type=kind)
