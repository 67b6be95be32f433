"""Asking for a record export (R5.2): at most one waiting or being made per person per case."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from parley.accounts.models import User
from parley.cases.access import access_case
from parley.errors import DomainError
from parley.notifications.models import UNFINISHED, ExportFormat, ExportJob
from parley.notifications.tasks import generate_export
from parley.vault.keys import ContentDestroyed


def export_running(job: ExportJob) -> DomainError:
    return DomainError(
        "export_running",
        _(
            "Your export of this case (number %(pk)s) is still being made. Wait for it to "
            "finish, then ask again."
        )
        % {"pk": job.pk},
    )


def do_request_export(*, acting_user: User, case_id: int, fmt: ExportFormat) -> ExportJob:
    """Queues an export of what `acting_user` may see; the job starts once this commits.
    Refused with `export_running` (409) while another of theirs for the case is unfinished,
    with `content_destroyed` (410) once the case key is gone."""
    case, _ = access_case(acting_user, case_id)
    if case.content_destroyed_at is not None:
        raise ContentDestroyed(case.content_destroyed_at)
    running = ExportJob.objects.filter(
        requested_by=acting_user, case=case, status__in=UNFINISHED
    ).first()
    if running is not None:
        raise export_running(running)
    try:
        with transaction.atomic():
            job = ExportJob.objects.create(requested_by=acting_user, case=case, format=fmt)
            transaction.on_commit(lambda: generate_export(job.pk))
    except IntegrityError:
        # Two requests at once: the database's constraint let one through.
        running = ExportJob.objects.filter(
            requested_by=acting_user, case=case, status__in=UNFINISHED
        ).first()
        if running is None:
            raise
        raise export_running(running) from None
    return job
