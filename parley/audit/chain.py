"""The audit hash chain (R9.1): pure hashing and verification, no ORM.

Each event has a *record* (case, seq, kind, actor, subject, time, content hashes, audience) and
a random 16-byte *salt*. What every participant gets is the *link*:

    commitment = SHA-256(salt || canonical(record))
    hash       = SHA-256(canonical({"case", "seq", "commitment", "prev"}))

so the chain's order, completeness and integrity can be checked by anyone without learning
anything about an event, and the *opening* (salt and record) is given only to the event's
audience (audit/policy.py), who check it against the commitment. `canonical` is JSON with
sorted keys, no spaces, ASCII only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


@dataclass(frozen=True)
class Link:
    seq: int
    commitment: str
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Opening:
    salt: str
    record: dict[str, Any]


def commitment_of(salt: str, record: Mapping[str, Any]) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + canonical(dict(record))).hexdigest()


def link_hash(*, case_id: int, seq: int, commitment: str, prev_hash: str) -> str:
    return hashlib.sha256(
        canonical({"case": case_id, "seq": seq, "commitment": commitment, "prev": prev_hash})
    ).hexdigest()


@dataclass(frozen=True)
class Verdict:
    ok: bool
    events: int
    problem: str = ""
    opened: int = 0


def verify(
    case_id: int,
    links: Sequence[Link],
    head: str,
    count: int,
    openings: Mapping[int, Opening] | None = None,
) -> Verdict:
    """Recompute every link, compare the last with the head kept on the case, and check every
    opening given (by seq) against its link's commitment.

    Detects an edited event (its hash, or its record against the commitment, no longer
    matches), a removed or reordered one (seq gap or broken prev link), and a truncated tail
    (count and head no longer match the case). An edit to a record nobody opened here is found
    by whoever holds that opening (the operator's `parley audit verify` holds them all)."""
    openings = openings or {}
    prev = GENESIS
    for expected_seq, link in enumerate(links, start=1):
        if link.seq != expected_seq:
            return Verdict(False, len(links), f"event {expected_seq} is missing or out of order")
        if link.prev_hash != prev:
            return Verdict(
                False, len(links), f"event {link.seq} does not follow event {link.seq - 1}"
            )
        recomputed = link_hash(
            case_id=case_id, seq=link.seq, commitment=link.commitment, prev_hash=link.prev_hash
        )
        if recomputed != link.hash:
            return Verdict(False, len(links), f"event {link.seq} was changed")
        opening = openings.get(link.seq)
        if opening is not None and (
            commitment_of(opening.salt, opening.record) != link.commitment
            or opening.record.get("seq") != link.seq
            or opening.record.get("case") != case_id
        ):
            return Verdict(False, len(links), f"event {link.seq} was changed")
        prev = link.hash
    if len(links) != count or prev != (head or GENESIS):
        return Verdict(
            False, len(links), f"the chain has {len(links)} events but the case records {count}"
        )
    return Verdict(True, len(links), opened=len(openings))


def content_hash(value: str | bytes) -> str:
    """A bare SHA-256, for content whose hash is itself published to the same readers (an
    agreement's or settlement's text hash, which people sign). Anything short or guessable is
    committed with `salted_hash` instead."""
    data = value.encode("utf-8") if isinstance(value, str) else value
    return hashlib.sha256(data).hexdigest()


def new_salt() -> str:
    return secrets.token_hex(16)


def salted_hash(salt: str, value: str) -> str:
    """A commitment to content that only those who may read it can check.

    A plain SHA-256 of a short message ("yes", "7,000", an e-mail address) is easy to guess by
    trying candidates. Keyed with a random salt that travels only with the entry (or the
    event's opening), the hash reveals nothing to someone who does not hold the salt."""
    return hmac.new(bytes.fromhex(salt), value.encode("utf-8"), hashlib.sha256).hexdigest()
