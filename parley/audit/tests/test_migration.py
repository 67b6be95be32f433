"""The data migration to salted commitments (audit 0002): an intact old chain becomes an intact
new one with every event's audience; a chain already broken stays broken (R9.1)."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.db import connection

from parley.audit.actions import verify_case
from parley.audit.chain import GENESIS
from parley.audit.models import AuditEvent
from parley.cases.models import Case
from parley.testing import ActiveCast, Api

migration: Any = importlib.import_module("parley.audit.migrations.0002_commitments")


def as_old_chain(case: Case) -> None:
    """Rewrite the case's chain as the previous version of Parley stored it."""
    prev = GENESIS
    for event in AuditEvent.objects.filter(case=case).order_by("pk"):
        event.prev_hash = prev
        digest = migration.old_hash(case.pk, event)
        AuditEvent.objects.filter(pk=event.pk).update(
            prev_hash=prev, hash=digest, salt="", commitment="", audience={}
        )
        prev = digest
    Case.objects.filter(pk=case.pk).update(audit_head=prev)


def test_r9_1_an_old_chain_migrates_to_commitments_that_verify(active: ActiveCast) -> None:
    case_id = active.case.pk
    Api(active.alice).post(
        f"/cases/{case_id}/rooms/{active.room('caucus_a').pk}/entries", {"body": "7000"}
    )
    case = Case.objects.get(pk=case_id)
    as_old_chain(case)
    assert not verify_case(case).ok  # the old form does not verify as the new one
    migration.forward(apps, connection.schema_editor())
    verdict = verify_case(Case.objects.get(pk=case_id))
    assert verdict.ok, verdict.problem
    last = AuditEvent.objects.filter(case=case_id).order_by("-seq").first()
    assert last is not None and last.audience == {"rooms": [active.room("caucus_a").pk]}
    # Bob cannot open Alice's caucus entry after the migration either.
    _, links = Api(active.bob).get(f"/cases/{case_id}/audit")
    assert links[-1]["opening"] is None
    migration.backward(apps, connection.schema_editor())
    assert AuditEvent.objects.get(pk=last.pk).hash == migration.old_hash(
        case_id, AuditEvent.objects.get(pk=last.pk)
    )


def test_r9_1_a_chain_tampered_before_the_migration_stays_detected(active: ActiveCast) -> None:
    case = Case.objects.get(pk=active.case.pk)
    as_old_chain(case)
    third = AuditEvent.objects.filter(case=case).order_by("seq")[2]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET kind = %s WHERE id = %s", ["x", third.pk])
    migration.forward(apps, connection.schema_editor())
    verdict = verify_case(Case.objects.get(pk=case.pk))
    assert not verdict.ok
    assert verdict.problem.startswith("event 3 ")


def test_r9_1_the_database_moves_the_cases_head_with_every_event_appended(
    active: ActiveCast,
) -> None:
    """audit 0003: the head and count on the case row follow each inserted event, whatever
    wrote it, so the head a participant checks against is always the chain's last link."""
    case_id = active.case.pk
    Api(active.alice).post(
        f"/cases/{case_id}/rooms/{active.room('joint').pk}/entries", {"body": "1"}
    )
    last = AuditEvent.objects.filter(case=case_id).order_by("-seq").first()
    assert last is not None
    case = Case.objects.get(pk=case_id)
    assert (case.audit_head, case.audit_count) == (last.hash, last.seq)
    # An event appended behind the actions' back moves the head too.
    AuditEvent.objects.create(
        case=case, seq=last.seq + 1, kind="probe", created_at=last.created_at,
        salt="s", commitment="c", prev_hash=last.hash, hash="f" * 64,
    )  # fmt: skip
    case.refresh_from_db()
    assert (case.audit_head, case.audit_count) == ("f" * 64, last.seq + 1)
    assert verify_case(case).ok is False  # the probe's link does not verify, and is seen
