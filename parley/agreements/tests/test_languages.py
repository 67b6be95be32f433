"""The agreement in each language: its own text and SHA-256, signed in the signer's language
(R2.1, R2.2)."""

from __future__ import annotations

from django.utils import translation

from parley.agreements.models import Agreement, Signature
from parley.agreements.policy import (
    TEMPLATE_LANGUAGES,
    AgreementPolicy,
    normalise_text,
    sha256_hex,
    template_text,
)
from parley.cases.policy import CourtOrder
from parley.cases.record import export_for
from parley.rooms.policy import Instruction
from parley.testing import ActiveCast, Api, Cast, build_case, cid


def as_reader(c: ActiveCast, user: object, language: str) -> tuple[Api, dict[str, object]]:
    user.language = language  # type: ignore[attr-defined]
    user.save(update_fields=["language"])  # type: ignore[attr-defined]
    api = Api(user)  # type: ignore[arg-type]
    with translation.override(language):
        _, agreement = api.get(f"/cases/{cid(c)}/agreement")
    return api, agreement


def sign_as(c: ActiveCast, user: object, language: str) -> tuple[int, dict[str, object]]:
    api, agreement = as_reader(c, user, language)
    data = {"typed_name": agreement["my_name"], "consent": True, "sha256": agreement["sha256"]}
    with translation.override(language):
        return api.post(f"/cases/{cid(c)}/agreement/sign", data)


def test_r2_1_the_template_says_the_six_clauses_in_each_language_with_its_own_hash() -> None:
    policy = AgreementPolicy(
        caucus_default=Instruction.DO_NOT_DISCLOSE,
        results_confidential=True,
        court_order=CourtOrder("the County Court", "CO-9", 2),
    )
    texts = {lang: normalise_text(template_text(policy, lang)) for lang in TEMPLATE_LANGUAGES}
    assert texts["es"].startswith("Convenio de mediación")
    assert texts["de"].startswith("Mediationsvereinbarung")
    assert "5. Reuniones privadas" in texts["es"] and "5. Einzelgespräche" in texts["de"]
    for text in texts.values():
        for clause in range(1, 9):
            assert f"\n{clause}. " in text
        assert "CO-9" in text
    assert "solo lo transmite cuando ese lado le dice que puede" in texts["es"]
    assert "mindestens 2 Sitzungen" in texts["de"]
    assert len({sha256_hex(t) for t in texts.values()}) == 3


def test_r2_2_bob_reading_spanish_signs_the_spanish_text_and_its_hash(cast: Cast) -> None:
    cast = build_case(cast, stage="signing")
    _, shown = as_reader(cast, cast.bob, "es")
    agreement = Agreement.objects.get(case_id=cid(cast))
    spanish = agreement.texts()["es"]
    assert shown["language"] == "es"
    assert shown["text"] == spanish.text and shown["text"].startswith("Convenio de mediación")
    assert shown["sha256"] == spanish.sha256 == sha256_hex(spanish.text)
    assert len({t.sha256 for t in agreement.texts().values()}) == 3

    status, signed = sign_as(cast, cast.bob, "es")
    assert status == 201
    assert (signed["language"], signed["text_sha256"]) == ("es", spanish.sha256)
    signature = Signature.objects.get(participant__user=cast.bob)
    assert (signature.language, signature.text_sha256) == ("es", spanish.sha256)


def test_r2_2_a_reader_in_a_language_without_a_text_reads_the_english_one(cast: Cast) -> None:
    cast = build_case(cast, stage="signing")
    _, shown = as_reader(cast, cast.alice, "en-gb")
    agreement = Agreement.objects.get(case_id=cid(cast))
    assert (shown["language"], shown["sha256"]) == ("en", agreement.sha256)
    assert sign_as(cast, cast.alice, "en-gb")[1]["language"] == "en"


def test_r2_2_a_hash_of_no_text_of_this_version_is_refused(cast: Cast) -> None:
    cast = build_case(cast, stage="signing")
    api, agreement = as_reader(cast, cast.bob, "de")
    data = {"typed_name": agreement["my_name"], "consent": True, "sha256": "0" * 64}
    assert api.post(f"/cases/{cid(cast)}/agreement/sign", data)[1]["code"] == "agreement_changed"


def test_r2_2_a_signature_is_verified_against_its_own_languages_text(cast: Cast) -> None:
    cast = build_case(cast, stage="signing")
    sign_as(cast, cast.bob, "es")
    sign_as(cast, cast.alice, "de")
    sign_as(cast, cast.maya, "en-gb")
    with translation.override("es"):
        record = export_for(cast.bob, cid(cast))["agreement"]
    by_name = {s["name"]: s for s in record["signatures"]}
    assert {n: (s["language"], s["verified"]) for n, s in by_name.items()} == {
        "Bob Brightline": ("es", True),
        "Alice Alvarez": ("de", True),
        "Maya Mediator": ("en", True),
    }
    assert record["language"] == "es" and record["text"].startswith("Convenio de mediación")

    # The Spanish text is altered in the database: Bob's signature no longer verifies, while
    # the signatures on the German and English texts still do.
    agreement = Agreement.objects.get(case_id=cid(cast))
    translations = dict(agreement.translations or {})
    translations["es"] = {**translations["es"], "text": translations["es"]["text"] + "Más.\n"}
    Agreement.objects.filter(pk=agreement.pk).update(translations=translations)
    record = export_for(cast.bob, cid(cast))["agreement"]
    verified = {s["name"]: s["verified"] for s in record["signatures"]}
    assert verified == {"Bob Brightline": False, "Alice Alvarez": True, "Maya Mediator": True}


def test_r2_1_an_agreement_from_before_languages_is_english_only(cast: Cast) -> None:
    cast = build_case(cast, stage="signing")
    Agreement.objects.filter(case_id=cid(cast)).update(language=None, translations=None)
    _, shown = as_reader(cast, cast.bob, "es")
    agreement = Agreement.objects.get(case_id=cid(cast))
    assert (shown["language"], shown["sha256"]) == ("en", agreement.sha256)
    status, signed = sign_as(cast, cast.bob, "es")
    assert (status, signed["language"], signed["text_sha256"]) == (201, "en", agreement.sha256)
