"""The audit hash chain (R9.1): pure hashing and verification, no ORM."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class Link:
    seq: int
    kind: str
    actor_id: int | None
    created_at: str  # ISO 8601, UTC
    subject_id: int | None
    content_hashes: dict[str, Any]
    prev_hash: str
    hash: str


def link_hash(
    *,
    case_id: int,
    seq: int,
    kind: str,
    actor_id: int | None,
    created_at: str,
    subject_id: int | None,
    content_hashes: dict[str, Any],
    prev_hash: str,
) -> str:
    canonical = json.dumps(
        {
            "case": case_id,
            "seq": seq,
            "kind": kind,
            "actor": actor_id,
            "at": created_at,
            "subject": subject_id,
            "hashes": content_hashes,
            "prev": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Verdict:
    ok: bool
    events: int
    problem: str = ""


def verify(case_id: int, links: Sequence[Link], head: str, count: int) -> Verdict:
    """Recompute every link; compare the last with the head kept on the case.

    Detects an edited event (its hash no longer matches), a removed or reordered one (seq gap or
    broken prev link), and a truncated tail (count and head no longer match the case).
    """
    prev = GENESIS
    for expected_seq, link in enumerate(links, start=1):
        if link.seq != expected_seq:
            return Verdict(False, len(links), f"event {expected_seq} is missing or out of order")
        if link.prev_hash != prev:
            return Verdict(
                False, len(links), f"event {link.seq} does not follow event {link.seq - 1}"
            )
        recomputed = link_hash(
            case_id=case_id,
            seq=link.seq,
            kind=link.kind,
            actor_id=link.actor_id,
            created_at=link.created_at,
            subject_id=link.subject_id,
            content_hashes=link.content_hashes,
            prev_hash=link.prev_hash,
        )
        if recomputed != link.hash:
            return Verdict(False, len(links), f"event {link.seq} was changed")
        prev = link.hash
    if len(links) != count or prev != (head or GENESIS):
        return Verdict(
            False, len(links), f"the chain has {len(links)} events but the case records {count}"
        )
    return Verdict(True, len(links))


def content_hash(value: str | bytes) -> str:
    data = value.encode("utf-8") if isinstance(value, str) else value
    return hashlib.sha256(data).hexdigest()


def new_salt() -> str:
    return secrets.token_hex(16)


def salted_hash(salt: str, value: str) -> str:
    """A commitment to content that only those who may read it can check.

    A plain SHA-256 of a short message ("yes", "7,000") is easy to guess by trying candidates,
    and the chain is readable by every participant. Keyed with a random per-entry salt that
    travels only with the entry, the hash reveals nothing to someone who cannot see the entry.
    """
    return hmac.new(bytes.fromhex(salt), value.encode("utf-8"), hashlib.sha256).hexdigest()
