"""The audit hash chain detects a changed, removed, reordered or truncated event (R9.1)."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from parley.audit.actions import verify_case
from parley.audit.chain import commitment_of, salted_hash
from parley.audit.models import AuditEvent
from parley.cases.models import Case
from parley.testing import ActiveCast, Api, Cast


def case_of(c: ActiveCast) -> Case:
    return Case.objects.get(pk=c.case.pk)


def raw(sql: str, params: list[int | str]) -> None:
    # Tampering goes around the model (which refuses edits), as an attacker with the database would.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_r9_1_an_untouched_chain_verifies(active: ActiveCast) -> None:
    Api(active.alice).post(
        f"/cases/{case_of(active).pk}/rooms/{active.room('joint').pk}/entries", {"body": "hello"}
    )
    verdict = verify_case(case_of(active))
    assert verdict.ok, verdict.problem
    assert verdict.events == case_of(active).audit_count > 10


# Not hexadecimal, so it cannot turn up inside a hash by chance (a bare "7000" did, 1 run in ~25).
BODY = "7000 euros"


def test_r9_1_the_chain_holds_hashes_never_content(active: ActiveCast) -> None:
    _, entry = Api(active.alice).post(
        f"/cases/{case_of(active).pk}/rooms/{active.room('caucus_a').pk}/entries",
        {"body": BODY},
    )
    status, links = Api(active.bob).get(f"/cases/{case_of(active).pk}/audit")
    assert status == 200
    assert BODY not in str(links)
    # Bob, who cannot read the caucus, gets an opaque link: no kind, author, room or hash.
    assert links[-1]["opening"] is None
    assert set(links[-1]) == {"seq", "commitment", "prev_hash", "hash", "opening"}
    # Alice, who holds the entry and its salt, opens the event and checks the commitment.
    _, links = Api(active.alice).get(f"/cases/{case_of(active).pk}/audit")
    record = links[-1]["opening"]["record"]
    assert record["kind"] == "entry_posted"
    committed = record["content_hashes"]["body"]
    assert committed != hashlib.sha256(BODY.encode()).hexdigest()
    assert committed == salted_hash(entry["audit_salt"], BODY)
    assert links[-1]["commitment"] == commitment_of(links[-1]["opening"]["salt"], record)
    status, verdict = Api(active.carol).get(f"/cases/{case_of(active).pk}/audit/verify")
    assert (status, verdict["ok"]) == (200, True)


def test_r9_1_an_edited_event_is_detected(active: ActiveCast) -> None:
    event = AuditEvent.objects.filter(case=case_of(active)).order_by("seq")[3]
    raw("UPDATE audit_auditevent SET kind = %s WHERE id = %s", ["nothing_happened", event.pk])
    verdict = verify_case(case_of(active))
    assert not verdict.ok
    assert verdict.problem == "event 4 was changed"


def test_r9_1_an_edited_actor_is_detected(active: ActiveCast) -> None:
    event = AuditEvent.objects.filter(case=case_of(active)).order_by("seq")[1]
    raw("UPDATE audit_auditevent SET actor_id = %s WHERE id = %s", [999, event.pk])
    assert not verify_case(case_of(active)).ok


def test_r9_1_a_removed_event_is_detected(active: ActiveCast) -> None:
    event = AuditEvent.objects.filter(case=case_of(active)).order_by("seq")[2]
    raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    verdict = verify_case(case_of(active))
    assert not verdict.ok
    assert "missing or out of order" in verdict.problem


def test_r9_1_reordered_events_are_detected(active: ActiveCast) -> None:
    first, second = AuditEvent.objects.filter(case=case_of(active)).order_by("seq")[2:4]
    # Swap the two rows' contents while keeping their sequence numbers in place.
    raw("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [100000, first.pk])
    raw("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [first.seq, second.pk])
    raw("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [second.seq, first.pk])
    assert not verify_case(case_of(active)).ok


def test_r9_1_a_truncated_chain_is_detected(active: ActiveCast) -> None:
    last = AuditEvent.objects.filter(case=case_of(active)).order_by("-seq").first()
    assert last is not None
    raw("DELETE FROM audit_auditevent WHERE id = %s", [last.pk])
    verdict = verify_case(case_of(active))
    assert not verdict.ok
    assert "the case records" in verdict.problem


def test_r9_1_events_cannot_be_edited_through_the_model(active: ActiveCast) -> None:
    event = AuditEvent.objects.filter(case=case_of(active)).first()
    assert event is not None
    event.kind = "x"
    with pytest.raises(ValueError, match="append-only"):
        event.save()


def test_r9_1_parley_audit_verify_reports_ok_and_tampering(active: ActiveCast) -> None:
    out = StringIO()
    call_command("audit", "verify", str(case_of(active).pk), stdout=out)
    assert f"case {case_of(active).pk}: OK" in out.getvalue()
    event = AuditEvent.objects.filter(case=case_of(active)).order_by("seq")[0]
    raw("UPDATE audit_auditevent SET prev_hash = %s WHERE id = %s", ["f" * 64, event.pk])
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", "all", stdout=out)
    assert "TAMPERED" in out.getvalue()


def test_r1_3_operator_tools_print_metadata_only(active: ActiveCast) -> None:
    Api(active.alice).post(
        f"/cases/{case_of(active).pk}/rooms/{active.room('joint').pk}/entries",
        {"body": "words nobody else should read"},
    )
    out = StringIO()
    call_command("audit", "verify", "all", stdout=out)
    call_command("report", str(case_of(active).pk), stdout=out)
    assert "words nobody" not in out.getvalue()


def test_r2_3_a_participant_who_has_not_signed_verifies_the_chain_but_opens_nothing(
    cast: Cast,
) -> None:
    from parley.testing import build_case

    cast = build_case(cast, stage="signing")
    case_id = case_of(cast).pk
    status, links = Api(cast.carol).get(f"/cases/{case_id}/audit")
    assert status == 200 and len(links) == case_of(cast).audit_count
    assert all(link["opening"] is None for link in links)
    status, verdict = Api(cast.carol).get(f"/cases/{case_id}/audit/verify")
    assert (status, verdict["ok"], verdict["opened"]) == (200, True, 0)
    assert Api(cast.olga).get(f"/cases/{case_id}/audit") == (
        404,
        {"code": "not_found", "detail": "Not found."},
    )


def test_r7_1_the_chain_does_not_tell_other_parties_who_ended_the_mediation(
    active: ActiveCast,
) -> None:
    case_id = case_of(active).pk
    Api(active.bob).post(f"/cases/{case_id}/terminate", {})
    _, links = Api(active.alice).get(f"/cases/{case_id}/audit")
    assert links[-1]["opening"] is None
    assert "case_terminated" not in str(links)
    bob = active.participant(active.bob).pk
    # The mediator, who reads the declaration in Bob's caucus, opens who it was.
    _, links = Api(active.maya).get(f"/cases/{case_id}/audit")
    record = links[-1]["opening"]["record"]
    assert (record["kind"], record["actor_id"]) == ("case_terminated", bob)
    assert verify_case(case_of(active)).ok


def test_r9_1_every_reader_detects_an_edited_commitment_and_openers_an_edited_record(
    active: ActiveCast,
) -> None:
    case_id = case_of(active).pk
    _, entry = Api(active.alice).post(
        f"/cases/{case_id}/rooms/{active.room('caucus_a').pk}/entries", {"body": "7000"}
    )
    event = AuditEvent.objects.get(
        case=case_of(active), kind="entry_posted", subject_id=entry["id"]
    )
    # Say Bob wrote it: the record no longer matches its commitment.
    raw(
        "UPDATE audit_auditevent SET actor_id = %s WHERE id = %s",
        [active.participant(active.bob).pk, event.pk],
    )
    for user in (active.alice, active.carol, active.maya):
        _, verdict = Api(user).get(f"/cases/{case_id}/audit/verify")
        assert (verdict["ok"], verdict["problem"]) == (False, f"event {event.seq} was changed")
    # Bob cannot open it, so he cannot see that edit; the operator's check does.
    assert Api(active.bob).get(f"/cases/{case_id}/audit/verify")[1]["ok"] is True
    assert not verify_case(case_of(active)).ok
    # An edited commitment breaks the link for everyone.
    raw("UPDATE audit_auditevent SET commitment = %s WHERE id = %s", ["0" * 64, event.pk])
    _, verdict = Api(active.bob).get(f"/cases/{case_id}/audit/verify")
    assert (verdict["ok"], verdict["problem"]) == (False, f"event {event.seq} was changed")


def test_r9_1_a_reader_detects_removal_reordering_and_truncation_through_the_api(
    active: ActiveCast,
) -> None:
    case_id = case_of(active).pk
    events = list(AuditEvent.objects.filter(case=case_of(active)).order_by("seq"))
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])
    _, verdict = Api(active.bob).get(f"/cases/{case_id}/audit/verify")
    assert verdict["ok"] is False and "the case records" in verdict["problem"]
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
    _, verdict = Api(active.bob).get(f"/cases/{case_id}/audit/verify")
    assert verdict["ok"] is False and "missing or out of order" in verdict["problem"]
