"""Cases, people, termination, export and report through the API (R1, R5, R7)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from parley.agreements.policy import AgreementPolicy
from parley.cases.access import enter_case
from parley.cases.actions import end_settled
from parley.cases.models import Case
from parley.cases.policy import CourtOrder
from parley.testing import ActiveCast, Api, Cast, build_case, cid, hold_session

NOT_FOUND = {"code": "not_found", "detail": "Not found."}


def end_as_settled(cast: ActiveCast) -> None:
    """What the settlement action does when the last party signs."""
    with transaction.atomic():
        ctx, _ = enter_case(cast.maya, cid(cast))
        end_settled(ctx)


def test_a_mediator_creates_a_case_and_others_cannot(cast: Cast) -> None:
    status, case = Api(cast.maya).post("/cases", {"title": "Smith v. Jones"})
    assert status == 201
    assert (case["my_role"], case["status"]) == ("mediator", "setup")
    # R2.2: even the mediator sees no room before signing the agreement.
    assert case["rooms"] == []
    status, refusal = Api(cast.alice).post("/cases", {"title": "Mine"})
    assert (status, refusal["code"]) == (403, "not_a_mediator")


def test_the_case_list_shows_only_my_cases(active: ActiveCast) -> None:
    assert [c["title"] for c in Api(active.alice).get("/cases")[1]] == ["Alvarez v. Brightline"]
    assert Api(active.olga).get("/cases") == (200, [])


def test_anonymous_requests_are_refused(active: ActiveCast) -> None:
    status, body = Api(None).get(f"/cases/{cid(active)}")
    assert (status, body["code"]) == (401, "not_authenticated")


def test_r1_1_parties_form_sides_and_counsel_join_one(cast: Cast) -> None:
    cast = build_case(cast, stage="active")
    status, case = Api(cast.maya).get(f"/cases/{cid(cast)}")
    assert status == 200
    roles = {(p["name"], p["role"], p["side"]) for p in case["participants"]}
    side_a, side_b = (s["id"] for s in case["sides"])
    assert roles == {
        ("Maya Mediator", "mediator", None),
        ("Alice Alvarez", "party", side_a),
        ("Bob Brightline", "party", side_b),
        ("Carol Counsel", "counsel", side_a),
    }


def test_r1_1_the_agreement_is_not_issued_with_fewer_than_two_parties(cast: Cast) -> None:
    _, case = Api(cast.maya).post("/cases", {"title": "Lonely"})
    api = Api(cast.maya)
    api.post(
        f"/cases/{case['id']}/invitations",
        {"email": cast.alice.email, "name": "Alice Alvarez", "role": "party"},
    )
    api.put(f"/cases/{case['id']}/agreement", {})
    api.post(f"/cases/{case['id']}/disclosures", {"none": True})
    status, refusal = api.post(f"/cases/{case['id']}/agreement/issue")
    assert (status, refusal["code"]) == (409, "parties_required")


def test_r1_1_an_observer_attends_on_no_side(active: ActiveCast) -> None:
    api = Api(active.maya)
    side = Case.objects.get(pk=cid(active)).sides.first()
    assert side is not None
    status, refusal = api.post(
        f"/cases/{cid(active)}/invitations",
        {
            "email": "oscar@example.com",
            "name": "Oscar Observer",
            "role": "observer",
            "side": side.pk,
        },
    )
    assert (status, refusal["code"]) == (409, "no_side_for_observer")


def test_r1_2_the_mediator_cannot_take_another_role_in_their_case(active: ActiveCast) -> None:
    side = Case.objects.get(pk=cid(active)).sides.first()
    assert side is not None
    status, refusal = Api(active.maya).post(
        f"/cases/{cid(active)}/invitations",
        {"email": active.maya.email, "name": "Maya Mediator", "role": "counsel", "side": side.pk},
    )
    assert (status, refusal["code"]) == (409, "one_role_per_case")


def test_r1_2_a_participant_cannot_be_invited_to_a_second_role(active: ActiveCast) -> None:
    side = Case.objects.get(pk=cid(active)).sides.last()
    assert side is not None
    status, refusal = Api(active.maya).post(
        f"/cases/{cid(active)}/invitations",
        {"email": active.carol.email, "name": "Carol Counsel", "role": "counsel", "side": side.pk},
    )
    assert (status, refusal["code"]) == (409, "one_role_per_case")


@pytest.mark.parametrize("who", ["alice", "bob", "carol", "olga"])
def test_only_the_mediator_invites(active: ActiveCast, who: str) -> None:
    status, _body = Api(getattr(active, who)).post(
        f"/cases/{cid(active)}/invitations",
        {"email": "x@example.com", "name": "X Person", "role": "observer"},
    )
    assert status == (404 if who == "olga" else 403)


def test_r1_3_the_operator_sees_no_mediation_content(active: ActiveCast) -> None:
    from parley.accounts.models import User

    operator = User.objects.create_user(
        "ops@example.com", "operator-pass-1", is_staff=True, is_superuser=True
    )
    Api(active.alice).post(
        f"/cases/{cid(active)}/rooms/{active.room('joint').pk}/entries", {"body": "private words"}
    )
    api = Api(operator)
    for path in (
        f"/cases/{cid(active)}",
        f"/cases/{cid(active)}/rooms/{active.room('joint').pk}/entries",
        f"/cases/{cid(active)}/export",
        f"/cases/{cid(active)}/agreement",
        f"/cases/{cid(active)}/audit",
    ):
        assert api.get(path) == (404, NOT_FOUND), path


def test_r7_1_a_party_ends_it_by_declaring_to_the_mediator(active: ActiveCast) -> None:
    status, case = Api(active.bob).post(
        f"/cases/{cid(active)}/terminate", {"statement": "I need to stop."}
    )
    assert status == 200
    assert (case["status"], case["outcome"]) == ("terminated", "not_settled")
    assert case["terminated_by"] == "Bob Brightline"
    # The mediator sees who declared it; the other side sees only that it ended.
    assert Api(active.maya).get(f"/cases/{cid(active)}")[1]["terminated_by"] == "Bob Brightline"
    alice_view = Api(active.alice).get(f"/cases/{cid(active)}")[1]
    assert (alice_view["status"], alice_view["terminated_by"]) == ("terminated", None)
    _, caucus_b = Api(active.maya).get(
        f"/cases/{cid(active)}/rooms/{active.room('caucus_b').pk}/entries"
    )
    assert "Bob Brightline declared to the mediator" in caucus_b[-1]["body"]
    assert "I need to stop." in caucus_b[-1]["body"]
    _, joint = Api(active.alice).get(
        f"/cases/{cid(active)}/rooms/{active.room('joint').pk}/entries"
    )
    assert joint[-1]["body"] == "The mediation has ended."
    assert "Bob" not in joint[-1]["body"]


def test_r7_2_the_mediator_declares_it_to_all_parties_jointly(active: ActiveCast) -> None:
    status, case = Api(active.maya).post(
        f"/cases/{cid(active)}/terminate", {"statement": "We have gone as far as we can."}
    )
    assert (status, case["status"]) == (200, "terminated")
    for user in (active.alice, active.bob, active.carol):
        _, joint = Api(user).get(f"/cases/{cid(active)}/rooms/{active.room('joint').pk}/entries")
        assert joint[-1]["body"].startswith("The mediator declared to all parties")


@pytest.mark.parametrize("who", ["carol", "olga"])
def test_r7_1_counsel_and_outsiders_cannot_terminate(active: ActiveCast, who: str) -> None:
    status, _ = Api(getattr(active, who)).post(f"/cases/{cid(active)}/terminate", {})
    assert status == (403 if who == "carol" else 404)
    assert Case.objects.get(pk=cid(active)).status == "active"


def test_r7_3_settlement_ends_it_as_settled_and_anything_else_as_not_settled(cast: Cast) -> None:
    cast = build_case(cast)
    end_as_settled(cast)
    case = Case.objects.get(pk=cid(cast))
    assert (case.status, case.outcome, case.termination_kind) == (
        "terminated",
        "settled",
        "settlement",
    )


def test_r7_4_a_party_is_warned_under_an_unmet_court_order_and_may_still_end_it(
    cast: Cast,
) -> None:
    cast = build_case(
        cast, policy=AgreementPolicy(court_order=CourtOrder("the County Court", "CO-7", 1))
    )
    api = Api(cast.alice)
    _, warning = api.get(f"/cases/{cid(cast)}/termination-warning")
    assert "CO-7" in warning["warning"]
    status, refusal = api.post(f"/cases/{cid(cast)}/terminate", {})
    assert (status, refusal["code"]) == (409, "court_order_unmet")
    status, case = api.post(f"/cases/{cid(cast)}/terminate", {"confirm_court_order": True})
    assert (status, case["status"]) == (200, "terminated")


def test_r7_4_no_warning_once_the_required_sessions_are_held(cast: Cast) -> None:
    cast = build_case(
        cast, policy=AgreementPolicy(court_order=CourtOrder("the County Court", "CO-7", 1))
    )
    hold_session(cast, [cast.alice])  # one party only: it does not count (R10.5)
    assert (
        "0 have been held"
        in Api(cast.alice).get(f"/cases/{cid(cast)}/termination-warning")[1]["warning"]
    )
    hold_session(cast, [cast.maya, cast.alice, cast.bob])
    assert Api(cast.alice).get(f"/cases/{cid(cast)}/termination-warning")[1] == {"warning": None}
    assert Api(cast.alice).post(f"/cases/{cid(cast)}/terminate", {})[0] == 200


def test_r7_5_termination_is_final_and_rooms_stay_readable(active: ActiveCast) -> None:
    Api(active.alice).post(
        f"/cases/{cid(active)}/rooms/{active.room('caucus_a').pk}/entries", {"body": "kept"}
    )
    Api(active.alice).post(f"/cases/{cid(active)}/terminate", {})
    status, refusal = Api(active.maya).post(f"/cases/{cid(active)}/terminate", {})
    assert (status, refusal["code"]) == (409, "case_terminated")
    _, rows = Api(active.carol).get(
        f"/cases/{cid(active)}/rooms/{active.room('caucus_a').pk}/entries"
    )
    assert rows[0]["body"] == "kept"


def export_bodies(data: dict[str, Any]) -> dict[str, list[str]]:
    return {room["kind"]: [e["body"] for e in room["entries"]] for room in data["rooms"]}


def test_r5_2_an_export_holds_exactly_what_its_reader_can_see(active: ActiveCast) -> None:
    c = cid(active)
    for user, room, body in (
        (active.alice, "joint", "joint words"),
        (active.alice, "caucus_a", "alice caucus"),
        (active.carol, "counsel_a", "counsel words"),
        (active.bob, "caucus_b", "bob caucus"),
        (active.maya, "notebook", "notebook words"),
    ):
        Api(user).post(f"/cases/{c}/rooms/{active.room(room).pk}/entries", {"body": body})
    _, bob = Api(active.bob).get(f"/cases/{c}/export")
    _, alice = Api(active.alice).get(f"/cases/{c}/export")
    _, maya = Api(active.maya).get(f"/cases/{c}/export")
    text_of = str
    assert "alice caucus" not in text_of(bob) and "counsel words" not in text_of(bob)
    assert "bob caucus" not in text_of(alice)
    assert "counsel words" not in text_of(maya)
    # R3.4: the notebook is never exported, not even to the mediator.
    assert "notebook words" not in text_of(maya)
    assert export_bodies(alice)["counsel"] == ["counsel words"]
    assert all(
        e["stamp"].startswith("PRIVILEGED") for room in alice["rooms"] for e in room["entries"]
    )
    assert Api(active.olga).get(f"/cases/{c}/export") == (404, NOT_FOUND)


def test_r5_3_the_outcome_is_public_unless_results_are_confidential(cast: Cast) -> None:
    cast = build_case(cast)
    end_as_settled(cast)
    outcome = Api(cast.bob).get(f"/cases/{cid(cast)}/export")[1]["outcome"]
    assert (outcome["outcome"], outcome["confidential"], outcome["stamp"]) == (
        "settled",
        False,
        None,
    )


def test_r5_3_a_confidential_result_is_stamped_privileged(cast: Cast) -> None:
    cast = build_case(cast, policy=AgreementPolicy(results_confidential=True))
    end_as_settled(cast)
    outcome = Api(cast.bob).get(f"/cases/{cid(cast)}/export")[1]["outcome"]
    assert outcome["confidential"] is True
    assert outcome["stamp"].startswith("PRIVILEGED")


def test_r5_4_the_report_holds_only_fixed_fields(active: ActiveCast) -> None:
    Api(active.alice).post(
        f"/cases/{cid(active)}/rooms/{active.room('joint').pk}/entries", {"body": "my secret words"}
    )
    hold_session(active, [active.alice, active.bob])
    Api(active.maya).post(f"/cases/{cid(active)}/terminate", {"statement": "private reasons"})
    status, report = Api(active.maya).get(f"/cases/{cid(active)}/report")
    assert status == 200
    assert set(report) == {
        "case_reference",
        "mediation_took_place",
        "terminated",
        "terminated_on",
        "settlement_reached",
        "sessions",
        "sha256",
    }
    assert report["mediation_took_place"] is True
    assert report["terminated"] is True
    assert report["settlement_reached"] is False
    [session] = report["sessions"]
    assert (session["number"], session["kind"], session["every_party_present"]) == (
        1,
        "Joint session",
        True,
    )
    assert session["attendees"] == [
        {"name": "Alice Alvarez", "role": "Party"},
        {"name": "Bob Brightline", "role": "Party"},
    ]
    assert "secret" not in str(report) and "private reasons" not in str(report)
    assert Api(active.olga).get(f"/cases/{cid(active)}/report") == (404, NOT_FOUND)
    assert Api(active.alice).get(f"/cases/{cid(active)}/report")[1]["code"] == "mediator_only"


def test_r3_2_each_room_says_who_reads_it_by_name(active: ActiveCast) -> None:
    _, case = Api(active.alice).get(f"/cases/{cid(active)}")
    readers = {room["kind"]: room["readers"] for room in case["rooms"]}
    assert readers["caucus"].startswith(
        "Only you, Carol Counsel (your lawyer) and Maya Mediator (the mediator) see this."
    )
    assert (
        readers["counsel"]
        == "Only you and Carol Counsel (your lawyer) see this. The mediator does not."
    )
