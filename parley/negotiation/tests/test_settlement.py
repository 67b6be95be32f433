"""The settlement (R8.5, R2.2, R7.3, R6.2, R5.3): drafted from accepted terms, signed by every
party, ending the case as settled; a PDF byte-identical across runs."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from parley.agreements.policy import AgreementPolicy
from parley.cases.access import load_context
from parley.cases.models import Case
from parley.negotiation.models import SettlementVersion
from parley.negotiation.pdf import settlement_pdf
from parley.negotiation.tests.helpers import base, side_ids
from parley.testing import ActiveCast, Api, Cast, build_case

NOT_FOUND = {"code": "not_found", "detail": "Not found."}


def accepted_offer(cast: ActiveCast) -> int:
    alice_side, bob_side = side_ids(cast)
    _, made = Api(cast.bob).post(
        f"{base(cast)}/offers",
        {
            "room": cast.room("joint").pk,
            "kind": "sum",
            "amount": "15000",
            "payer": bob_side,
            "payee": alice_side,
        },
    )
    Api(cast.alice).post(f"{base(cast)}/offers/{made['id']}/accept")
    return int(made["id"])


def draft(cast: ActiveCast) -> dict[str, Any]:
    status, body = Api(cast.maya).post(f"{base(cast)}/settlement", {"offer": accepted_offer(cast)})
    assert status == 201, body
    return dict(body)


def sign(cast: ActiveCast, user: Any, sha: str, name: str | None = None) -> tuple[int, Any]:
    return Api(user).post(
        f"{base(cast)}/settlement/sign",
        {"typed_name": name or user.full_name, "consent": True, "sha256": sha},
    )


def test_r8_5_a_settlement_is_drafted_only_from_accepted_terms(active: ActiveCast) -> None:
    alice_side, bob_side = side_ids(active)
    _, open_offer = Api(active.bob).post(
        f"{base(active)}/offers",
        {
            "room": active.room("joint").pk,
            "kind": "sum",
            "amount": "1",
            "payer": bob_side,
            "payee": alice_side,
        },
    )
    status, body = Api(active.maya).post(f"{base(active)}/settlement", {"offer": open_offer["id"]})
    assert (status, body["code"]) == (409, "not_accepted")
    status, body = Api(active.alice).post(f"{base(active)}/settlement", {"offer": 1})
    assert (status, body["code"]) == (403, "mediator_only")
    settlement = draft(active)
    assert "Bob pays Alice the sum of €15,000.00." in settlement["text"]
    assert settlement["waiting_for"] == ["Alice Alvarez", "Bob Brightline"]


def test_the_settlement_is_drafted_in_the_language_of_the_mediator_who_drafts_it(
    active: ActiveCast,
) -> None:
    """Every party signs one text; it is written in the drafter's language, frame and terms
    alike (was English whoever drafted it)."""
    active.maya.language = "de"
    active.maya.save(update_fields=["language"])
    text = draft(active)["text"]
    assert text.startswith("Einigung\n\nAngelegenheit: ")
    assert "Die Parteien:\n- Alice Alvarez\n- Bob Brightline" in text
    assert "Bob zahlt an Alice den Betrag von 15.000,00\xa0€." in text
    assert "Jede Partei unterschreibt für sich selbst" in text
    assert "Settlement" not in text and "pays" not in text


def test_r7_3_the_last_party_signature_ends_the_case_as_settled(active: ActiveCast) -> None:
    settlement = draft(active)
    sha = settlement["sha256"]
    assert sign(active, active.maya, sha)[1]["code"] == "mediator_never_decides"
    assert sign(active, active.carol, sha)[1]["code"] == "party_only"
    assert sign(active, active.olga, sha) == (404, NOT_FOUND)
    assert sign(active, active.alice, sha, name="Alice")[1]["code"] == "name_mismatch"
    assert sign(active, active.alice, "0" * 64)[1]["code"] == "agreement_changed"
    status, body = Api(active.alice).post(
        f"{base(active)}/settlement/sign",
        {"typed_name": "Alice Alvarez", "consent": False, "sha256": sha},
    )
    assert body["code"] == "consent_required"
    status, body = sign(active, active.alice, sha)
    assert status == 201 and body["waiting_for"] == ["Bob Brightline"]
    assert sign(active, active.alice, sha)[1]["code"] == "already_signed"
    case = Case.objects.get(pk=active.case.pk)
    assert case.status == "active"
    status, body = sign(active, active.bob, sha)
    assert status == 201 and body["settled"] is True and body["confidential"] is False
    case.refresh_from_db()
    assert (case.status, case.outcome, case.termination_kind) == (
        "terminated",
        "settled",
        "settlement",
    )
    # R7.5: after termination nothing negotiates any more.
    assert Api(active.maya).put(f"{base(active)}/settlement", {"text": "x"})[1]["code"] == (
        "case_terminated"
    )


def test_r8_5_an_edit_voids_signatures_and_everyone_signs_again(active: ActiveCast) -> None:
    settlement = draft(active)
    sign(active, active.alice, settlement["sha256"])
    status, edited = Api(active.maya).put(
        f"{base(active)}/settlement", {"text": settlement["text"] + "\nPayment within 30 days.\n"}
    )
    assert status == 200 and edited["version"] == 2
    assert edited["signatures"] == [] and edited["waiting_for"] == [
        "Alice Alvarez",
        "Bob Brightline",
    ]
    assert sign(active, active.bob, settlement["sha256"])[1]["code"] == "agreement_changed"
    assert Api(active.alice).put(f"{base(active)}/settlement", {"text": "mine"})[1]["code"] == (
        "mediator_only"
    )


def test_the_settlement_is_joint_content(active: ActiveCast) -> None:
    draft(active)
    for user in (active.maya, active.alice, active.bob, active.carol):
        assert Api(user).get(f"{base(active)}/settlement")[0] == 200
    assert Api(active.olga).get(f"{base(active)}/settlement") == (404, NOT_FOUND)
    response = Api(active.olga).client.get(f"/api/v1{base(active)}/settlement/pdf")
    assert response.status_code == 404


def test_the_pdf_is_byte_identical_across_runs(active: ActiveCast) -> None:
    settlement = draft(active)
    sign(active, active.alice, settlement["sha256"])
    sign(active, active.bob, settlement["sha256"])
    first = Api(active.alice).client.get(f"/api/v1{base(active)}/settlement/pdf")
    second = Api(active.bob).client.get(f"/api/v1{base(active)}/settlement/pdf")
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert first.content.startswith(b"%PDF")
    assert first.content == second.content
    case = Case.objects.get(pk=active.case.pk)
    version = SettlementVersion.objects.get(case=case)
    assert settlement_pdf(load_context(case), version) == first.content


def test_r5_3_the_signed_settlement_is_stamped_privileged_only_if_results_are_confidential(
    cast: Cast,
) -> None:
    from parley.negotiation.pdf import settlement_html

    cast = build_case(cast, policy=AgreementPolicy(results_confidential=True))
    settlement = draft(cast)
    sign(cast, cast.alice, settlement["sha256"])
    _, body = sign(cast, cast.bob, settlement["sha256"])
    assert body["confidential"] is True
    case = Case.objects.get(pk=cast.case.pk)
    html = settlement_html(load_context(case), SettlementVersion.objects.get(case=case))
    assert "PRIVILEGED AND CONFIDENTIAL" in html


def test_r5_3_otherwise_the_signed_settlement_says_it_is_not_confidential(
    active: ActiveCast,
) -> None:
    from parley.negotiation.pdf import PUBLIC_STAMP, settlement_html

    settlement = draft(active)
    sign(active, active.alice, settlement["sha256"])
    sign(active, active.bob, settlement["sha256"])
    case = Case.objects.get(pk=active.case.pk)
    html = settlement_html(load_context(case), SettlementVersion.objects.get(case=case))
    assert str(PUBLIC_STAMP) in html and "PRIVILEGED" not in html


def test_the_settlement_pdf_gives_times_in_the_readers_zone_and_language(
    active: ActiveCast, client: Any
) -> None:
    from django.contrib.auth import get_user_model

    settlement = draft(active)
    sign(active, active.alice, settlement["sha256"])
    get_user_model().objects.filter(pk=active.bob.pk).update(
        time_zone="America/New_York", language="de"
    )
    from parley.negotiation.pdf import settlement_html

    case = Case.objects.get(pk=active.case.pk)
    version = SettlementVersion.objects.get(case=case)
    with translation.override("de"):
        html = settlement_html(load_context(case), version, "America/New_York")
    assert "(America/New_York)" in html and "(UTC)" not in html
    assert "ENTWURF" in html  # the draft stamp in the reader's language
    client.force_login(active.bob)
    response = client.get(f"/cases/{active.case.pk}/negotiate/settlement.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_a_settled_bidding_is_accepted_terms(active: ActiveCast) -> None:
    alice_side, bob_side = side_ids(active)
    Api(active.maya).post(f"{base(active)}/bidding", {"payer": bob_side, "claimant": alice_side})
    Api(active.bob).post(f"{base(active)}/bidding/bids", {"amount": "9000"})
    _, bidding = Api(active.alice).post(f"{base(active)}/bidding/bids", {"amount": "10000"})
    assert bidding["status"] == "settled"
    status, body = Api(active.maya).post(f"{base(active)}/settlement", {"bidding": bidding["id"]})
    assert status == 201
    assert "Bob pays Alice the sum of €9,500.00." in body["text"]
