"""The audit hash chain detects a changed, removed, reordered or truncated event (R9.1)."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from parley.audit.actions import verify_case
from parley.audit.chain import salted_hash
from parley.audit.models import AuditEvent
from parley.cases.models import Case
from parley.testing import Api, Cast


def case_of(c: Cast) -> Case:
    assert c.case is not None
    return Case.objects.get(pk=c.case.pk)


def raw(sql: str, params: list[int | str]) -> None:
    # Tampering goes around the model (which refuses edits), as an attacker with the database would.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_r9_1_an_untouched_chain_verifies(active: Cast) -> None:
    Api(active.alice).post(
        f"/cases/{case_of(active).pk}/rooms/{active.room('joint').pk}/entries", {"body": "hello"}
    )
    verdict = verify_case(case_of(active))
    assert verdict.ok, verdict.problem
    assert verdict.events == case_of(active).audit_count > 10


def test_r9_1_the_chain_holds_hashes_never_content(active: Cast) -> None:
    _, entry = Api(active.alice).post(
        f"/cases/{case_of(active).pk}/rooms/{active.room('caucus_a').pk}/entries",
        {"body": "7000"},
    )
    status, links = Api(active.bob).get(f"/cases/{case_of(active).pk}/audit")
    assert status == 200
    assert "7000" not in str(links)
    assert links[-1]["kind"] == "entry_posted"
    committed = links[-1]["content_hashes"]["body"]
    # Bob, who cannot read the caucus, cannot test guesses against a bare SHA-256 ...
    assert committed != hashlib.sha256(b"7000").hexdigest()
    # ... while Alice, who holds the entry and its salt, can check the commitment.
    assert committed == salted_hash(entry["audit_salt"], "7000")
    status, verdict = Api(active.carol).get(f"/cases/{case_of(active).pk}/audit/verify")
    assert (status, verdict["ok"]) == (200, True)


def test_r9_1_an_edited_event_is_detected(active: Cast) -> None:
    event = AuditEvent.objects.filter(case=case_of(active)).order_by("seq")[3]
    raw("UPDATE audit_auditevent SET kind = %s WHERE id = %s", ["nothing_happened", event.pk])
    verdict = verify_case(case_of(active))
    assert not verdict.ok
    assert verdict.problem == "event 4 was changed"


def test_r9_1_an_edited_actor_is_detected(active: Cast) -> None:
    event = AuditEvent.objects.filter(case=case_of(active)).order_by("seq")[1]
    raw("UPDATE audit_auditevent SET actor_id = %s WHERE id = %s", [999, event.pk])
    assert not verify_case(case_of(active)).ok


def test_r9_1_a_removed_event_is_detected(active: Cast) -> None:
    event = AuditEvent.objects.filter(case=case_of(active)).order_by("seq")[2]
    raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    verdict = verify_case(case_of(active))
    assert not verdict.ok
    assert "missing or out of order" in verdict.problem


def test_r9_1_reordered_events_are_detected(active: Cast) -> None:
    first, second = AuditEvent.objects.filter(case=case_of(active)).order_by("seq")[2:4]
    # Swap the two rows' contents while keeping their sequence numbers in place.
    raw("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [100000, first.pk])
    raw("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [first.seq, second.pk])
    raw("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [second.seq, first.pk])
    assert not verify_case(case_of(active)).ok


def test_r9_1_a_truncated_chain_is_detected(active: Cast) -> None:
    last = AuditEvent.objects.filter(case=case_of(active)).order_by("-seq").first()
    assert last is not None
    raw("DELETE FROM audit_auditevent WHERE id = %s", [last.pk])
    verdict = verify_case(case_of(active))
    assert not verdict.ok
    assert "the case records" in verdict.problem


def test_r9_1_events_cannot_be_edited_through_the_model(active: Cast) -> None:
    event = AuditEvent.objects.filter(case=case_of(active)).first()
    assert event is not None
    event.kind = "x"
    with pytest.raises(ValueError, match="append-only"):
        event.save()


def test_r9_1_parley_audit_verify_reports_ok_and_tampering(active: Cast) -> None:
    out = StringIO()
    call_command("audit", "verify", str(case_of(active).pk), stdout=out)
    assert f"case {case_of(active).pk}: OK" in out.getvalue()
    event = AuditEvent.objects.filter(case=case_of(active)).order_by("seq")[0]
    raw("UPDATE audit_auditevent SET prev_hash = %s WHERE id = %s", ["f" * 64, event.pk])
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", "all", stdout=out)
    assert "TAMPERED" in out.getvalue()


def test_r1_3_operator_tools_print_metadata_only(active: Cast) -> None:
    Api(active.alice).post(
        f"/cases/{case_of(active).pk}/rooms/{active.room('joint').pk}/entries",
        {"body": "words nobody else should read"},
    )
    out = StringIO()
    call_command("audit", "verify", "all", stdout=out)
    call_command("report", str(case_of(active).pk), stdout=out)
    assert "words nobody" not in out.getvalue()


def test_r2_3_the_chain_is_closed_to_participants_who_have_not_signed(cast: Cast) -> None:
    from parley.testing import build_case

    build_case(cast, stage="signing")
    case_id = case_of(cast).pk
    assert Api(cast.carol).get(f"/cases/{case_id}/audit") == (
        404,
        {"code": "not_found", "detail": "Not found."},
    )
    assert Api(cast.carol).get(f"/cases/{case_id}/audit/verify")[0] == 404


def test_r7_1_the_chain_does_not_tell_other_parties_who_ended_the_mediation(active: Cast) -> None:
    case_id = case_of(active).pk
    Api(active.bob).post(f"/cases/{case_id}/terminate", {})
    _, links = Api(active.alice).get(f"/cases/{case_id}/audit")
    ended = links[-1]
    assert ended["kind"] == "case_terminated"
    assert ended["actor_id"] is None
    bob = active.participant(active.bob).pk
    assert set(ended["content_hashes"]) == {"kind", "outcome", "declared_by"}
    # The mediator, who reads the declaration in Bob's caucus, can check who it was.
    _, caucus = Api(active.maya).get(f"/cases/{case_id}/rooms/{active.room('caucus_b').pk}/entries")
    declaration = caucus[-1]
    assert ended["content_hashes"]["declared_by"] == salted_hash(
        declaration["audit_salt"], str(bob)
    )
    assert verify_case(case_of(active)).ok
