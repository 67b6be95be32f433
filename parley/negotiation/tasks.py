"""The engine off the request path: a proposal job runs in the background-job consumer (huey,
parley/notifications/queue.py), reports its progress on its row as it searches, and stores
the suggestion (encrypted under the case key) for the case's mediator to read."""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from django.utils import timezone

from parley.accounts.models import User
from parley.errors import DomainError, NotFound
from parley.negotiation.access import access_negotiation
from parley.negotiation.models import ProposalJob
from parley.negotiation.policy import ProposalJobStatus
from parley.negotiation.suggest import Method, Suggestion, suggest
from parley.notifications.queue import job

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 0.5
"""Seconds between progress writes to the job's row."""


def suggestion_record(result: Suggestion) -> dict[str, Any]:
    return {
        "found": result.found,
        "message": result.message,
        "package": result.package,
        "shares": [[str(x) for x in row] for row in result.shares] if result.shares else None,
        "lines": result.lines,
        "certainty": result.certainty.value,
        "ef1": result.ef1,
        "log_gap": result.log_gap if math.isfinite(result.log_gap) else None,
        "note": result.note,
    }


def _end(job_id: int, status: ProposalJobStatus, **fields: Any) -> None:
    row = ProposalJob.objects.get(pk=job_id)
    row.status = status
    row.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(row, name, value)
    row.save(update_fields=["status", "finished_at", *fields])


@job()
def run_proposal(job_id: int) -> str:
    """Run one queued proposal job to its end (done or failed). The mediator who asked must
    still be the case's mediator: the engine reads the ratings through the same policy as the
    page (suggest checks it)."""
    started = timezone.now()
    claimed = ProposalJob.objects.filter(pk=job_id, status=ProposalJobStatus.QUEUED).update(
        status=ProposalJobStatus.RUNNING, started_at=started
    )
    if not claimed:
        return ""
    row = ProposalJob.objects.select_related("requested_by__user").get(pk=job_id)
    user = row.requested_by.user
    assert isinstance(user, User)
    clock = time.monotonic()
    last = -math.inf

    def progress(seconds: float, log_gap: float) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last < PROGRESS_EVERY:
            return
        last = now
        ProposalJob.objects.filter(pk=job_id).update(
            progress_seconds=now - clock,
            progress_gap=log_gap if math.isfinite(log_gap) else None,
        )

    try:
        ctx, me = access_negotiation(user, row.case_id)
        result = suggest(
            ctx,
            me,
            Method(row.method),
            row.baseline,
            time_limit=row.time_limit,
            watch=progress,
        )
    except NotFound:
        _end(job_id, ProposalJobStatus.FAILED, error="You no longer mediate this case.")
        return ""
    except DomainError as refusal:
        _end(job_id, ProposalJobStatus.FAILED, error=refusal.detail[:300])
        return ""
    except Exception:
        _end(job_id, ProposalJobStatus.FAILED, error="The engine failed on these ratings.")
        raise
    record = suggestion_record(result)
    _end(
        job_id,
        ProposalJobStatus.DONE,
        result=record,
        progress_seconds=time.monotonic() - clock,
        progress_gap=record["log_gap"],
    )
    return result.certainty.value
