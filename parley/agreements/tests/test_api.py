"""The agreement to mediate through the API: set, disclose, issue, sign (R2, R6)."""

from __future__ import annotations

import pytest

from parley.agreements.models import Signature
from parley.cases.models import Case
from parley.testing import ActiveCast, Api, Cast, build_case, cid

NOT_FOUND = {"code": "not_found", "detail": "Not found."}


def sign(c: ActiveCast, user: object, **override: object) -> tuple[int, dict[str, object]]:
    api = Api(user)  # type: ignore[arg-type]
    _, agreement = api.get(f"/cases/{cid(c)}/agreement")
    data = {"typed_name": agreement["my_name"], "consent": True, "sha256": agreement["sha256"]}
    data.update(override)
    return api.post(f"/cases/{cid(c)}/agreement/sign", data)


def test_r2_1_a_case_freezes_its_text_hash_and_policy(cast: Cast) -> None:
    cast = build_case(cast, stage="setup")
    status, agreement = Api(cast.maya).put(
        f"/cases/{cid(cast)}/agreement",
        {
            "own_text": "Our own agreement.\r\nClause one.",
            "caucus_default": "do_not_disclose",
            "results_confidential": True,
            "court_order": {"court": "County Court", "order_reference": "CO-1", "min_sessions": 2},
        },
    )
    assert status == 200
    assert agreement["text"] == "Our own agreement.\nClause one.\n"
    import hashlib

    assert agreement["sha256"] == hashlib.sha256(agreement["text"].encode()).hexdigest()
    assert (agreement["source"], agreement["caucus_default"]) == ("own", "do_not_disclose")
    assert agreement["results_confidential"] is True
    assert agreement["court_order"]["min_sessions"] == 2
    assert agreement["version"] == 2


def test_r2_2_every_signer_sees_text_hash_disclosures_and_the_no_advice_notice(
    cast: Cast,
) -> None:
    cast = build_case(cast, stage="signing")
    status, agreement = Api(cast.bob).get(f"/cases/{cid(cast)}/agreement")
    assert status == 200
    assert agreement["text"].startswith("Agreement to Mediate")
    assert len(agreement["sha256"]) == 64
    assert agreement["disclosures"][0]["is_none"] is True
    assert "gives no legal advice" in agreement["notice"]
    assert "consult your own lawyer" in agreement["notice"]
    assert Api(cast.olga).get(f"/cases/{cid(cast)}/agreement") == (404, NOT_FOUND)


def test_r2_2_signing_needs_consent_and_the_full_typed_name(cast: Cast) -> None:
    cast = build_case(cast, stage="signing")
    assert sign(cast, cast.alice, consent=False)[1]["code"] == "consent_required"
    assert sign(cast, cast.alice, typed_name="Alice")[1]["code"] == "name_mismatch"
    assert sign(cast, cast.alice, sha256="0" * 64)[1]["code"] == "agreement_changed"
    status, _signature = sign(cast, cast.alice)
    assert status == 201
    assert sign(cast, cast.alice)[1]["code"] == "already_signed"
    assert Api(cast.olga).post(f"/cases/{cid(cast)}/agreement/sign", {})[0] in (404, 422)


def test_r2_2_a_signature_is_never_edited(cast: Cast) -> None:
    cast = build_case(cast)
    signature = Signature.objects.first()
    assert signature is not None
    signature.typed_name = "Someone Else"
    with pytest.raises(ValueError, match="never edited"):
        signature.save()


def test_r2_2_changing_the_agreement_voids_every_signature(active: ActiveCast) -> None:
    joint = active.room("joint").pk
    Api(active.alice).post(f"/cases/{cid(active)}/rooms/{joint}/entries", {"body": "before"})
    status, _ = Api(active.maya).put(
        f"/cases/{cid(active)}/agreement", {"results_confidential": True}
    )
    assert status == 200
    case = Case.objects.get(pk=cid(active))
    assert case.status == "signing"
    for user in (active.maya, active.alice, active.bob, active.carol):
        _, view = Api(user).get(f"/cases/{cid(active)}")
        assert (view["signed"], view["rooms"]) == (False, [])
        assert Api(user).get(f"/cases/{cid(active)}/rooms/{joint}/entries") == (404, NOT_FOUND)
    # The old signatures stay as history on the old version.
    assert Signature.objects.filter(agreement__case=case).count() == 4
    for user in (active.maya, active.alice, active.bob):
        assert sign(active, user)[0] == 201
    assert Case.objects.get(pk=cid(active)).status == "active"
    assert Api(active.bob).get(f"/cases/{cid(active)}/rooms/{joint}/entries")[0] == 200


def test_r2_3_the_case_is_active_when_the_mediator_and_every_party_signed(cast: Cast) -> None:
    cast = build_case(cast, stage="signing")
    for user in (cast.alice, cast.bob):
        sign(cast, user)
        assert Case.objects.get(pk=cid(cast)).status == "signing"
    sign(cast, cast.maya)
    assert Case.objects.get(pk=cid(cast)).status == "active"


def test_r2_3_unsigned_counsel_are_kept_out_until_they_sign(cast: Cast) -> None:
    cast = build_case(cast, stage="signing")
    for user in (cast.maya, cast.alice, cast.bob):
        sign(cast, user)
    joint = cast.room("joint").pk
    Api(cast.alice).post(f"/cases/{cid(cast)}/rooms/{joint}/entries", {"body": "hello"})
    assert Api(cast.carol).get(f"/cases/{cid(cast)}/rooms/{joint}/entries") == (404, NOT_FOUND)
    assert Api(cast.carol).get(f"/cases/{cid(cast)}/export")[1]["rooms"] == []
    sign(cast, cast.carol)
    assert Api(cast.carol).get(f"/cases/{cid(cast)}/rooms/{joint}/entries")[1][0]["body"] == "hello"


def test_r2_3_nobody_writes_content_before_the_case_is_active(cast: Cast) -> None:
    cast = build_case(cast, stage="signing")
    sign(cast, cast.alice)
    status, refusal = Api(cast.alice).post(
        f"/cases/{cid(cast)}/rooms/{cast.room('joint').pk}/entries", {"body": "early"}
    )
    assert (status, refusal["code"]) == (409, "case_not_active")


def test_r2_4_the_clients_defaults_are_may_disclose_and_public_results(cast: Cast) -> None:
    cast = build_case(cast, stage="setup")
    _, agreement = Api(cast.maya).get(f"/cases/{cid(cast)}/agreement")
    assert agreement["caucus_default"] == "may_disclose"
    assert agreement["results_confidential"] is False
    assert agreement["court_order"] is None


def test_r2_4_confidential_unless_authorized_presets_do_not_disclose(cast: Cast) -> None:
    from parley.agreements.policy import AgreementPolicy
    from parley.rooms.policy import Instruction

    cast = build_case(cast, policy=AgreementPolicy(caucus_default=Instruction.DO_NOT_DISCLOSE))
    _, entry = Api(cast.alice).post(
        f"/cases/{cid(cast)}/rooms/{cast.room('caucus_a').pk}/entries", {"body": "x"}
    )
    assert entry["instruction"] == "do_not_disclose"


def test_r6_1_the_agreement_is_not_issued_before_disclosures(cast: Cast) -> None:
    _, case = Api(cast.maya).post("/cases", {"title": "T"})
    api = Api(cast.maya)
    for who in (cast.alice, cast.bob):
        api.post(
            f"/cases/{case['id']}/invitations",
            {"email": who.email, "name": who.full_name, "role": "party"},
        )
    api.put(f"/cases/{case['id']}/agreement", {})
    status, refusal = api.post(f"/cases/{case['id']}/agreement/issue")
    assert (status, refusal["code"]) == (409, "disclosures_required")


def test_r6_1_a_later_disclosure_must_be_acknowledged_by_every_party(active: ActiveCast) -> None:
    joint = f"/cases/{cid(active)}/rooms/{active.room('joint').pk}/entries"
    status, disclosure = Api(active.maya).post(
        f"/cases/{cid(active)}/disclosures", {"text": "I once worked with Bob's brother."}
    )
    assert (status, disclosure["needs_acknowledgement"]) == (201, True)
    status, refusal = Api(active.alice).post(joint, {"body": "go on"})
    assert (status, refusal["code"]) == (409, "disclosure_unacknowledged")
    ack = f"/cases/{cid(active)}/disclosures/{disclosure['id']}/acknowledge"
    assert Api(active.alice).post(ack)[0] == 200
    assert (
        Api(active.alice).post(joint, {"body": "go on"})[1]["code"] == "disclosure_unacknowledged"
    )
    assert Api(active.carol).post(ack)[1]["code"] == "party_only"
    assert Api(active.olga).post(ack) == (404, NOT_FOUND)
    assert Api(active.bob).post(ack)[0] == 200
    assert Api(active.alice).post(joint, {"body": "go on"})[0] == 201


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_only_the_mediator_sets_discloses_and_issues(cast: Cast, who: str) -> None:
    cast = build_case(cast, stage="setup")
    api = Api(getattr(cast, who))
    assert api.put(f"/cases/{cid(cast)}/agreement", {})[1]["code"] == "mediator_only"
    assert api.post(f"/cases/{cid(cast)}/disclosures", {"none": True})[1]["code"] == "mediator_only"
    assert api.post(f"/cases/{cid(cast)}/agreement/issue")[1]["code"] == "mediator_only"


def test_outsiders_get_404_on_every_agreement_endpoint(cast: Cast) -> None:
    cast = build_case(cast, stage="setup")
    api = Api(cast.olga)
    assert api.put(f"/cases/{cid(cast)}/agreement", {}) == (404, NOT_FOUND)
    assert api.post(f"/cases/{cid(cast)}/disclosures", {"none": True}) == (404, NOT_FOUND)
    assert api.post(f"/cases/{cid(cast)}/agreement/issue") == (404, NOT_FOUND)


def test_r6_2_the_mediator_cannot_sign_for_anyone(cast: Cast) -> None:
    cast = build_case(cast, stage="signing")
    status, refusal = sign(cast, cast.maya, typed_name="Alice Alvarez")
    assert (status, refusal["code"]) == (422, "name_mismatch")
    assert not Signature.objects.filter(participant__user=cast.alice).exists()


def test_an_agreement_text_with_nul_is_refused(cast: Cast) -> None:
    cast = build_case(cast, stage="setup")
    status, error = Api(cast.maya).put(f"/cases/{cid(cast)}/agreement", {"own_text": "a\x00b"})
    assert (status, error["code"]) == (422, "bad_input")
