"""Exports made off the request path: ask, poll, download. Only the requester sees a job."""

from __future__ import annotations

import io
from typing import Any

from django.db import transaction
from django.http import FileResponse, HttpRequest
from ninja import Router, Schema, Status

from parley.accounts.auth import request_user as the_user
from parley.apischema import ERRORS
from parley.cases.access import access_case
from parley.errors import NotFound
from parley.notifications.models import ExportJob, ExportStatus
from parley.notifications.tasks import generate_export
from parley.vault.keys import open_bytes

router = Router(tags=["exports"])


class ExportOut(Schema):
    id: int
    case: int
    status: str
    created_at: str
    sha256: str | None
    download: str | None


def export_payload(job: ExportJob) -> dict[str, Any]:
    ready = job.status == ExportStatus.READY
    return {
        "id": job.pk,
        "case": job.case_id,
        "status": job.status,
        "created_at": job.created_at.isoformat(),
        "sha256": job.sha256 or None,
        "download": f"/api/v1/exports/{job.pk}/download" if ready else None,
    }


def access_export(request: HttpRequest, job_id: int) -> ExportJob:
    """The requester's own job, while they still take part in the case; else NotFound."""
    user = the_user(request)
    job = ExportJob.objects.filter(pk=job_id, requested_by=user).first()
    if job is None:
        raise NotFound()
    access_case(user, job.case_id)
    return job


@router.post("/cases/{case_id}/exports", response={202: ExportOut, **ERRORS})
def request_export(request: HttpRequest, case_id: int) -> Status[dict[str, Any]]:
    user = the_user(request)
    case, _ = access_case(user, case_id)
    with transaction.atomic():
        job = ExportJob.objects.create(requested_by=user, case=case)
        transaction.on_commit(lambda: generate_export(job.pk))
    job.refresh_from_db()
    return Status(202, export_payload(job))


@router.get("/exports/{job_id}", response={200: ExportOut, **ERRORS})
def get_export(request: HttpRequest, job_id: int) -> dict[str, Any]:
    return export_payload(access_export(request, job_id))


@router.get("/exports/{job_id}/download", response={200: None, **ERRORS})
def download_export(request: HttpRequest, job_id: int) -> FileResponse:
    job = access_export(request, job_id)
    if job.status != ExportStatus.READY:
        raise NotFound()
    with job.file.open("rb") as handle:
        raw = open_bytes(job.case_id, f"export:{job.pk}", handle.read())
    return FileResponse(
        io.BytesIO(raw),
        as_attachment=True,
        filename=f"parley-case-{job.case_id}-export.json",
        content_type="application/json",
    )
