"""Reading record exports: a job and its file are the requester's alone (R5.2, R3.6)."""

from __future__ import annotations

from parley.accounts.models import User
from parley.cases.access import access_case
from parley.errors import NotFound
from parley.notifications.models import ExportFormat, ExportJob, ExportStatus
from parley.vault.keys import ContentDestroyed, open_bytes

RECENT_EXPORTS = 20


def access_export(user: User, job_id: int) -> ExportJob:
    """The user's own job, while they still take part in the case; anyone else's, or a job
    that does not exist, is the same NotFound."""
    if not user.is_authenticated:
        raise NotFound()
    job = ExportJob.objects.filter(pk=job_id, requested_by=user).first()
    if job is None:
        raise NotFound()
    access_case(user, job.case_id)
    return job


def my_exports(user: User, case_id: int) -> list[ExportJob]:
    """The user's latest exports of the case, newest first."""
    case, _ = access_case(user, case_id)
    return list(ExportJob.objects.filter(requested_by=user, case=case)[:RECENT_EXPORTS])


def export_content(job: ExportJob) -> tuple[bytes, str, str]:
    """The finished file opened with the case key: (content, file name, content type).
    NotFound until it is ready and after it expired; ContentDestroyed once the case key is
    gone (R11.4). Precondition: `job` came from access_export."""
    if job.status != ExportStatus.READY or not job.file:
        raise NotFound()
    with job.file.open("rb") as handle:
        stored = handle.read()
    case = job.case
    if case.content_destroyed_at is not None:
        raise ContentDestroyed(case.content_destroyed_at)
    raw = open_bytes(job.case_id, f"export:{job.pk}", stored)
    if job.format == ExportFormat.PDF:
        return raw, f"parley-case-{job.case_id}-record.pdf", "application/pdf"
    return raw, f"parley-case-{job.case_id}-record.json", "application/json; charset=utf-8"
