"""The agreement to mediate (R2): the built-in template, its policy, and hashing.

The template is written in our own words; it implements the client's six clauses.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

from django.db.models import TextChoices

from parley.cases.policy import CourtOrder
from parley.errors import BadInput, DomainError
from parley.rooms.policy import Instruction


class AgreementSource(TextChoices):
    TEMPLATE = "template", "Parley's template"
    OWN = "own", "The mediator's own text"


NO_LEGAL_ADVICE_NOTICE = (
    "The mediator gives no legal advice and represents no one. You may consult your own "
    "lawyer at any time, in private, before and during the mediation."
)

TEMPLATE_TEXT = """\
Agreement to Mediate

Everyone who takes part in this mediation, the mediator included, agrees as follows.

1. Confidentiality. What is said, written or shown in this mediation, and everything prepared
for it, stays inside it. No one who takes part will ask a court or any other body to hear
evidence of it, to order its disclosure, or to call the mediator as a witness or for the
mediator's notes and records. Sharing something within the mediation does not make it any less
confidential or privileged. The result of the mediation (whether it settled, and the settlement)
is not confidential unless we agree otherwise below. Once the mediation ends, for whatever
reason, settlement included, what is said or written after that is no longer confidential.

2. Taking part is voluntary. Any party, or the mediator, may end the mediation at any time,
subject only to any court order that governs it.

3. The mediator is neutral. The mediator is independent, represents no party, gives no legal
advice, and decides nothing: the parties alone decide whether and how to settle. Each party
should take legal advice from their own lawyer.

4. Your own lawyer. Each party may consult their own lawyer freely and in private, at any time.
The mediator may talk about legal ideas and options to help the discussion, but that is not
legal advice, and the mediator has no duty to protect any party's legal rights.

5. Private sessions (caucuses). The mediator may meet each side separately and in private. What
a side tells the mediator there {caucus_clause}

6. Ending the mediation. A party ends the mediation by telling the mediator so. The mediator ends
it by telling all parties together. From that moment on, nothing said or written is confidential.
"""

CAUCUS_CLAUSES = {
    Instruction.MAY_DISCLOSE: (
        "may be passed on by the mediator to the other parties, unless the side tells the "
        "mediator not to pass it on."
    ),
    Instruction.DO_NOT_DISCLOSE: (
        "stays private: the mediator passes it on only when the side says the mediator may."
    ),
}


@dataclass(frozen=True)
class AgreementPolicy:
    caucus_default: Instruction = Instruction.MAY_DISCLOSE
    results_confidential: bool = False
    court_order: CourtOrder | None = None
    # R11.4: days the content is kept after the mediation ends (0: nothing after the report).
    retention_days: int = 365


def template_text(policy: AgreementPolicy) -> str:
    text = TEMPLATE_TEXT.format(caucus_clause=CAUCUS_CLAUSES[policy.caucus_default])
    if policy.results_confidential:
        text += (
            "\n7. Confidential result. We agree that the result of the mediation, and any "
            "settlement, are confidential too.\n"
        )
    if policy.court_order is not None:
        order = policy.court_order
        text += (
            f"\n8. Court order. This mediation takes place under an order of {order.court} "
            f"(reference {order.order_reference})"
            + (
                f", which requires at least {order.min_sessions} session(s)."
                if order.min_sessions
                else "."
            )
            + "\n"
        )
    return text


def normalise_text(text: str) -> str:
    """The exact text that is hashed and signed: NFC, Unix newlines, no trailing blanks."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text.strip() + "\n"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_own_text(text: str, *, limit: int) -> None:
    if not text.strip():
        raise BadInput("empty_text", "Paste the text of your agreement to mediate.")
    if len(text) > limit:
        raise BadInput("too_long", f"The agreement may be at most {limit:,} characters.")


def check_signature(
    *, consent: bool, typed_name: str, expected_name: str, shown_hash: str, current_hash: str
) -> None:
    """R2.2: the signer saw this exact text (its hash), consented, and typed their full name."""
    if shown_hash != current_hash:
        raise DomainError(
            "agreement_changed",
            "The agreement changed since you opened it. Read the new text and sign again.",
        )
    if not consent:
        raise BadInput("consent_required", "Tick the box to confirm you agree.")
    if " ".join(typed_name.split()).casefold() != " ".join(expected_name.split()).casefold():
        raise BadInput(
            "name_mismatch", f"Type your full name exactly as it appears: {expected_name}."
        )
