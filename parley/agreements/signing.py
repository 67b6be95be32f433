"""Signing a text (R2.2), for the agreement to mediate and for the settlement (R8.5) alike.

Precondition: the caller entered the case (cases.access.enter_case) and has checked that this
person may sign this text now."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from parley.agreements.policy import check_signature
from parley.audit.actions import record_event
from parley.audit.policy import EVERYONE, Audience
from parley.cases.models import Case, Participant
from parley.errors import DomainError

S = TypeVar("S", bound=Model)


def sign_text(
    case: Case,
    me: Participant,
    *,
    already: str,
    text_sha256: str,
    typed_name: str,
    consent: bool,
    shown_sha256: str,
    signed_before: QuerySet[Any],
    create: Callable[[str], S],
    event: str,
    audience: Audience = EVERYONE,
) -> S:
    """The signer saw this exact text (its hash), consented and typed their full name; one
    signature each, never edited; its audit event holds the text's hash and the name, salted.
    `already`: the refusal when they signed before. `create(name)` stores the signature with the name as typed (spaces tidied)."""
    check_signature(
        consent=consent,
        typed_name=typed_name,
        expected_name=me.display_name,
        shown_hash=shown_sha256,
        current_hash=text_sha256,
    )
    if signed_before.exists():
        raise DomainError("already_signed", already)
    name = " ".join(typed_name.split())
    signature = create(name)
    record_event(
        case,
        event,
        actor_id=me.pk,
        subject_id=signature.pk,
        content_hashes={"text": text_sha256},
        # A name is short and guessable: committed with the event's own salt (R9.1).
        salted={"name": name},
        audience=audience,
    )
    return signature
