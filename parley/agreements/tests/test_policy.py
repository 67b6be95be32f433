"""The agreement template and signing rules, without a database (R2)."""

from __future__ import annotations

import pytest

from parley.agreements.policy import (
    AgreementPolicy,
    check_signature,
    normalise_text,
    sha256_hex,
    template_text,
)
from parley.cases.policy import CourtOrder
from parley.errors import DomainError
from parley.rooms.policy import Instruction


def test_r2_1_the_template_carries_the_six_clauses_in_our_own_words() -> None:
    text = template_text(AgreementPolicy())
    for heading in (
        "1. Confidentiality",
        "2. Taking part is voluntary",
        "3. The mediator is neutral",
        "4. Your own lawyer",
        "5. Private sessions (caucuses)",
        "6. Ending the mediation",
    ):
        assert heading in text
    assert "unless the side tells the mediator not to pass it on" in text
    assert "is not confidential unless we agree otherwise" in text


def test_r2_4_the_policy_changes_the_text_it_is_frozen_with() -> None:
    strict = template_text(
        AgreementPolicy(
            caucus_default=Instruction.DO_NOT_DISCLOSE,
            results_confidential=True,
            court_order=CourtOrder("the County Court", "CO-9", 2),
        )
    )
    assert "only when the side says the mediator may" in strict
    assert "Confidential result" in strict
    assert "CO-9" in strict and "at least 2 session" in strict
    assert sha256_hex(normalise_text(strict)) != sha256_hex(
        normalise_text(template_text(AgreementPolicy()))
    )


def test_r2_1_the_hash_is_of_the_normalised_text() -> None:
    assert normalise_text("a\r\nb  \n\n") == "a\nb\n"
    assert sha256_hex("a\nb\n") == sha256_hex(normalise_text("a\r\nb"))


@pytest.mark.parametrize(
    ("consent", "typed", "shown", "code"),
    [
        (True, "Alice Alvarez", "h1", None),
        (True, "  alice   ALVAREZ ", "h1", None),
        (False, "Alice Alvarez", "h1", "consent_required"),
        (True, "Alice", "h1", "name_mismatch"),
        (True, "Maya Mediator", "h1", "name_mismatch"),
        (True, "Alice Alvarez", "old", "agreement_changed"),
    ],
)
def test_r2_2_signing_needs_consent_the_full_name_and_the_text_shown(
    consent: bool, typed: str, shown: str, code: str | None
) -> None:
    def sign() -> None:
        check_signature(
            consent=consent,
            typed_name=typed,
            expected_name="Alice Alvarez",
            shown_hash=shown,
            current_hash="h1",
        )

    if code is None:
        sign()
    else:
        with pytest.raises(DomainError) as refused:
            sign()
        assert refused.value.code == code
