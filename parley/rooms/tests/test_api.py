"""The rooms API as each member of the cast sees it (R3, R4, R5.1)."""

from __future__ import annotations

from typing import Any

import pytest

from parley.cases.actions import do_terminate
from parley.rooms.entries import STORED_POST
from parley.rooms.models import Entry, InstructionChange
from parley.testing import ActiveCast, Api, cid, entries_with_body

NOT_FOUND = {"code": "not_found", "detail": "Not found."}


def post(c: ActiveCast, user: Any, room: str, body: str, **extra: Any) -> tuple[int, Any]:
    return Api(user).post(
        f"/cases/{cid(c)}/rooms/{c.room(room).pk}/entries", {"body": body, **extra}
    )


def bodies(c: ActiveCast, user: Any, room: str) -> tuple[int, Any]:
    status, rows = Api(user).get(f"/cases/{cid(c)}/rooms/{c.room(room).pk}/entries")
    if status != 200:
        return status, rows
    return status, [r["body"] for r in rows]


def test_r3_1_a_joint_entry_reaches_every_signed_participant(active: ActiveCast) -> None:
    status, entry = post(active, active.bob, "joint", "Thank you all for coming.")
    assert status == 201, entry
    for user in (active.maya, active.alice, active.bob, active.carol):
        assert bodies(active, user, "joint") == (200, ["Thank you all for coming."])
    assert bodies(active, active.olga, "joint") == (404, NOT_FOUND)


def test_r3_2_a_caucus_entry_reaches_its_side_and_the_mediator_only(active: ActiveCast) -> None:
    status, entry = post(active, active.alice, "caucus_a", "Our bottom line is 7,000.")
    assert status == 201, entry
    assert entry["instruction"] == "may_disclose"
    assert entry["privileged"] is True
    for user in (active.alice, active.carol, active.maya):
        assert bodies(active, user, "caucus_a") == (200, ["Our bottom line is 7,000."])
    for user in (active.bob, active.olga):
        assert bodies(active, user, "caucus_a") == (404, NOT_FOUND)


def test_r3_3_the_counsel_room_is_the_sides_alone_not_the_mediators(active: ActiveCast) -> None:
    assert post(active, active.carol, "counsel_a", "Don't go below 6,000.")[0] == 201
    assert bodies(active, active.alice, "counsel_a") == (200, ["Don't go below 6,000."])
    for user in (active.maya, active.bob, active.olga):
        assert bodies(active, user, "counsel_a") == (404, NOT_FOUND)
    assert post(active, active.maya, "counsel_a", "May I join?") == (404, NOT_FOUND)


def test_r3_4_the_notebook_is_the_mediators_alone(active: ActiveCast) -> None:
    assert post(active, active.maya, "notebook", "Bob seems anxious about timing.")[0] == 201
    assert bodies(active, active.maya, "notebook") == (200, ["Bob seems anxious about timing."])
    for user in (active.alice, active.bob, active.carol, active.olga):
        assert bodies(active, user, "notebook") == (404, NOT_FOUND)


def test_r3_6_a_forbidden_entry_looks_exactly_like_a_missing_one(active: ActiveCast) -> None:
    _, entry = post(active, active.alice, "caucus_a", "secret")
    forbidden = Api(active.bob).get(f"/cases/{cid(active)}/entries/{entry['id']}")
    missing = Api(active.bob).get(f"/cases/{cid(active)}/entries/999999")
    other_case = Api(active.bob).get("/cases/999999/entries/1")
    assert forbidden == missing == other_case == (404, NOT_FOUND)
    assert Api(active.alice).get(f"/cases/{cid(active)}/entries/{entry['id']}")[0] == 200


def test_the_timeline_resumes_after_the_last_id_without_gaps(active: ActiveCast) -> None:
    for n in range(5):
        post(active, active.alice, "joint", f"message {n}")
    api = Api(active.bob)
    _status, first = api.get(
        f"/cases/{cid(active)}/rooms/{active.room('joint').pk}/entries?limit=2"
    )
    assert [r["body"] for r in first] == ["message 0", "message 1"]
    _, rest = api.get(
        f"/cases/{cid(active)}/rooms/{active.room('joint').pk}/entries?after={first[-1]['id']}"
    )
    assert [r["body"] for r in rest] == ["message 2", "message 3", "message 4"]


def test_r4_1_the_instruction_is_preset_from_the_agreement_and_may_be_chosen(
    active: ActiveCast,
) -> None:
    _, default = post(active, active.alice, "caucus_a", "a")
    _, chosen = post(active, active.alice, "caucus_a", "b", instruction="do_not_disclose")
    _, joint = post(active, active.alice, "joint", "c", instruction="do_not_disclose")
    assert default["instruction"] == "may_disclose"
    assert chosen["instruction"] == "do_not_disclose"
    assert joint["instruction"] is None


def test_r4_2_any_member_of_the_side_changes_the_instruction_and_history_is_kept(
    active: ActiveCast,
) -> None:
    _, entry = post(active, active.alice, "caucus_a", "We might accept 8,000.")
    path = f"/cases/{cid(active)}/entries/{entry['id']}/instruction"
    status, changed = Api(active.carol).post(path, {"instruction": "do_not_disclose"})
    assert (status, changed["instruction"]) == (200, "do_not_disclose")
    assert Api(active.alice).post(path, {"instruction": "may_disclose"})[0] == 200
    status, history = Api(active.maya).get(
        f"/cases/{cid(active)}/entries/{entry['id']}/instruction-history"
    )
    assert [(h["instruction"], h["changed_by"]) for h in history] == [
        ("may_disclose", "Alice Alvarez"),
        ("do_not_disclose", "Carol Counsel"),
        ("may_disclose", "Alice Alvarez"),
    ]
    assert Api(active.maya).post(path, {"instruction": "may_disclose"})[1]["code"] == "not_allowed"
    assert Api(active.bob).post(path, {"instruction": "may_disclose"}) == (404, NOT_FOUND)
    assert Api(active.olga).post(path, {"instruction": "may_disclose"}) == (404, NOT_FOUND)


def test_r4_3_a_do_not_disclose_entry_cannot_be_shared(active: ActiveCast) -> None:
    _, entry = post(active, active.alice, "caucus_a", "Private", instruction="do_not_disclose")
    status, refusal = Api(active.maya).post(
        f"/cases/{cid(active)}/entries/{entry['id']}/share",
        {"target_room": active.room("joint").pk},
    )
    assert status == 409
    assert refusal["code"] == "disclosure_refused"
    assert "must not be disclosed" in refusal["detail"]
    assert bodies(active, active.bob, "joint") == (200, [])
    assert not Entry.objects.filter(source_id=entry["id"]).exists()


def test_r4_3_a_shared_copy_shows_its_source_and_who_shared_it(active: ActiveCast) -> None:
    _, entry = post(active, active.alice, "caucus_a", "We could pay in two instalments.")
    status, copy = Api(active.maya).post(
        f"/cases/{cid(active)}/entries/{entry['id']}/share",
        {"target_room": active.room("caucus_b").pk},
    )
    assert status == 201, copy
    assert copy["room"] == active.room("caucus_b").pk
    assert copy["source"] == {
        "entry": entry["id"],
        "room": "Caucus: Alice",
        "author": "Alice Alvarez",
        "shared_by": "Maya Mediator",
    }
    assert bodies(active, active.bob, "caucus_b") == (200, ["We could pay in two instalments."])
    # The original stays where it was: Bob still cannot read Alice's caucus.
    assert bodies(active, active.bob, "caucus_a") == (404, NOT_FOUND)


def test_r4_3_the_instruction_at_the_moment_of_sharing_decides(active: ActiveCast) -> None:
    _, entry = post(active, active.alice, "caucus_a", "Offer 5,000")
    share = f"/cases/{cid(active)}/entries/{entry['id']}/share"
    target = {"target_room": active.room("joint").pk}
    Api(active.alice).post(
        f"/cases/{cid(active)}/entries/{entry['id']}/instruction",
        {"instruction": "do_not_disclose"},
    )
    assert Api(active.maya).post(share, target)[1]["code"] == "disclosure_refused"
    Api(active.carol).post(
        f"/cases/{cid(active)}/entries/{entry['id']}/instruction", {"instruction": "may_disclose"}
    )
    assert Api(active.maya).post(share, target)[0] == 201


def test_r4_4_the_mediators_own_caucus_words_carry_no_instruction(active: ActiveCast) -> None:
    _, entry = post(active, active.maya, "caucus_a", "What would a fair figure be?")
    assert entry["instruction"] is None
    assert not InstructionChange.objects.filter(entry_id=entry["id"]).exists()
    status, _ = Api(active.maya).post(
        f"/cases/{cid(active)}/entries/{entry['id']}/share",
        {"target_room": active.room("caucus_b").pk},
    )
    assert status == 201


def test_r4_5_nobody_else_moves_content_between_rooms(active: ActiveCast) -> None:
    _, entry = post(active, active.alice, "caucus_a", "forward me")
    share = f"/cases/{cid(active)}/entries/{entry['id']}/share"
    for user in (active.alice, active.carol):
        status, refusal = Api(user).post(share, {"target_room": active.room("joint").pk})
        assert (status, refusal["code"]) == (403, "not_allowed")
    assert Api(active.bob).post(share, {"target_room": active.room("joint").pk}) == (
        404,
        NOT_FOUND,
    )
    assert Api(active.olga).post(share, {"target_room": active.room("joint").pk}) == (
        404,
        NOT_FOUND,
    )
    # Not into a counsel room, not into the notebook, not back into the same caucus.
    assert Api(active.maya).post(share, {"target_room": active.room("counsel_b").pk}) == (
        404,
        NOT_FOUND,
    )
    for room in ("notebook", "caucus_a"):
        status, refusal = Api(active.maya).post(share, {"target_room": active.room(room).pk})
        assert (status, refusal["code"]) == (422, "bad_target")
    # A copy cannot be passed on again, and joint entries are not "shared" anywhere.
    _, copy = Api(active.maya).post(share, {"target_room": active.room("caucus_b").pk})
    status, refusal = Api(active.maya).post(
        f"/cases/{cid(active)}/entries/{copy['id']}/share", {"target_room": active.room("joint").pk}
    )
    assert refusal["code"] == "not_shareable"


def test_r5_1_entries_before_termination_are_privileged_after_it_not(active: ActiveCast) -> None:
    _, before = post(active, active.alice, "joint", "before")
    do_terminate(acting_user=active.bob, case_id=cid(active))
    status, warning = post(active, active.alice, "joint", "after")
    assert (status, warning["code"]) == (409, "not_confidential_warning")
    assert "NOT confidential" in warning["detail"]
    status, after = post(active, active.alice, "joint", "after", acknowledge_not_confidential=True)
    assert status == 201
    assert before["privileged"] is True
    assert after["privileged"] is False


@pytest.mark.parametrize(
    "body",
    ["", "   ", "a\x00b", "x" * 20_001],
    ids=["empty", "blank", "nul", "oversized"],
)
def test_bad_input_is_a_4xx_never_a_500(active: ActiveCast, body: str) -> None:
    status, error = post(active, active.alice, "joint", body)
    assert 400 <= status < 500
    assert set(error) == {"code", "detail"}


def test_wrong_types_are_a_422(active: ActiveCast) -> None:
    api = Api(active.alice)
    status, error = api.post(
        f"/cases/{cid(active)}/rooms/{active.room('joint').pk}/entries", {"body": ["a"]}
    )
    assert (status, error["code"]) == (422, "bad_input")
    status, error = api.post(
        f"/cases/{cid(active)}/rooms/{active.room('joint').pk}/entries",
        {"body": "a", "client_key": "k\x00"},
    )
    assert (status, error["code"]) == (422, "bad_input")


def test_r9_2_a_retried_post_with_the_same_key_stores_one_entry(active: ActiveCast) -> None:
    first = post(active, active.alice, "joint", "only once", client_key="key-1")
    again = post(active, active.alice, "joint", "only once", client_key="key-1")
    assert first[0] == again[0] == 201
    assert first[1]["id"] == again[1]["id"]
    assert len(entries_with_body("only once")) == 1


def test_r9_2_a_retry_refused_now_still_gets_the_entry_it_stored(active: ActiveCast) -> None:
    """Alice's post was stored but its answer was lost; the mediator ended the case before her
    retry. The retry gets her entry, not "ended": she must not think it was never written. A
    new post after the end is refused as before."""
    first = post(active, active.alice, "caucus_a", "Stored before the end", client_key="key-1")
    do_terminate(acting_user=active.maya, case_id=cid(active))
    again = post(active, active.alice, "caucus_a", "Stored before the end", client_key="key-1")
    assert (again[0], again[1]["id"]) == (201, first[1]["id"])
    refused = post(active, active.alice, "caucus_a", "After the end", client_key="key-2")
    assert 400 <= refused[0] < 500
    assert len(entries_with_body("Stored before the end")) == 1


def test_r9_2_a_retry_writes_nothing_and_adds_nothing_to_the_chain(active: ActiveCast) -> None:
    from parley.audit.models import AuditEvent

    post(active, active.alice, "caucus_a", "Once", client_key="key-1")
    events = AuditEvent.objects.filter(case=cid(active)).count()
    changes = InstructionChange.objects.count()
    post(active, active.alice, "caucus_a", "Once", client_key="key-1")
    assert AuditEvent.objects.filter(case=cid(active)).count() == events
    assert InstructionChange.objects.count() == changes


def test_r9_2_a_post_costs_the_same_statements_however_many_entries_its_author_wrote(
    active: ActiveCast,
) -> None:
    """The retry check reads the unique index on (author, key): a post stays one lock, one
    roster check and its writes, however long the person has been writing; only a retry looks
    its key up."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from parley.rooms.actions import do_post_entry

    def statements(n: int) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            do_post_entry(
                acting_user=active.alice,
                case_id=cid(active),
                room_id=active.room("joint").pk,
                body=f"post {n}",
                client_key=f"k{n}",
            )
        return [q["sql"].split(" ")[0] for q in queries.captured_queries]

    statements(0)  # the first write after a roster change loads the policy's context
    first = statements(1)
    for n in range(2, 60):
        statements(n)
    assert statements(60) == first
    assert first.count("SELECT") == 1, first  # the lock (with the roster version)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + STORED_POST, [active.alice.pk, "k1"])
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert "entry_idempotency_key" in plan, plan


def test_r7_5_after_the_end_the_mediator_shares_nothing_on_the_page_or_the_api(
    active: ActiveCast,
) -> None:
    """Termination is final (R7.5): caucus content stays where its side left it. The page
    offers no share and the API refuses one with the same reason."""
    from django.test import Client

    _, entry = post(active, active.alice, "caucus_a", "May be passed on")
    page = Client()
    page.force_login(active.maya)
    caucus = f"/cases/{cid(active)}/rooms/{active.room('caucus_a').pk}/"
    share_form = f"/cases/{cid(active)}/entries/{entry['id']}/share/"
    assert share_form in page.get(caucus).content.decode()
    do_terminate(acting_user=active.maya, case_id=cid(active))
    assert share_form not in page.get(caucus).content.decode()
    status, refusal = Api(active.maya).post(
        f"/cases/{cid(active)}/entries/{entry['id']}/share",
        {"target_room": active.room("joint").pk},
    )
    assert (status, refusal["code"]) == (409, "case_terminated")
    assert not Entry.objects.filter(source_id=entry["id"]).exists()
