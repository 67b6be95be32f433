"""The mediator's request for an engine proposal (R8.4), queued as a background job so no web
or API worker waits on the engine. One job per case at a time; the job itself is in
parley/negotiation/tasks.py."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parley.accounts.models import User
from parley.cases.access import enter_case
from parley.errors import BadInput, DomainError
from parley.negotiation.models import ProposalJob
from parley.negotiation.policy import (
    PROPOSAL_JOB_LIVE,
    PROPOSAL_TIME_LIMIT_MAX,
    PROPOSAL_TIME_LIMIT_MIN,
    ProposalJobStatus,
    check_negotiation_open,
    proposal_job_lost,
)
from parley.negotiation.suggest import Method, check_suggestable
from parley.negotiation.tasks import run_proposal

LOST = "The search stopped without an answer (the server restarted). Ask again."


def do_start_proposal(
    *,
    acting_user: User,
    case_id: int,
    method: Method,
    baseline: list[int] | None = None,
    time_limit: float = PROPOSAL_TIME_LIMIT_MAX,
) -> ProposalJob:
    """Queue the engine run; the job starts once this transaction commits. Refused with
    `proposal_running` while the case has one queued or running."""
    if not PROPOSAL_TIME_LIMIT_MIN <= time_limit <= PROPOSAL_TIME_LIMIT_MAX:
        raise BadInput(
            "bad_time_limit",
            _("Give the engine between %(low)s and %(high)s seconds.")
            % {
                "low": f"{PROPOSAL_TIME_LIMIT_MIN:g}",
                "high": f"{PROPOSAL_TIME_LIMIT_MAX:g}",
            },
        )
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        issue_set = check_suggestable(ctx, me, method, baseline)
        check_negotiation_open(ctx.state)
        now = timezone.now()
        for live in ProposalJob.objects.filter(case=ctx.case, status__in=PROPOSAL_JOB_LIVE):
            if proposal_job_lost(
                live.status, live.started_at or live.created_at, live.time_limit, now
            ):
                live.status = ProposalJobStatus.FAILED
                live.error = LOST
                live.finished_at = now
                live.save(update_fields=["status", "error", "finished_at"])
            else:
                raise DomainError(
                    "proposal_running",
                    _("The engine is already working on a proposal for this case: wait for it."),
                )
        job = ProposalJob.objects.create(
            case=ctx.case,
            issue_set=issue_set,
            requested_by=me,
            method=method,
            baseline=baseline,
            time_limit=time_limit,
        )
        transaction.on_commit(lambda: run_proposal(job.pk))
    return job
