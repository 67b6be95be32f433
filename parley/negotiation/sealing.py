"""Sealed figures for double-blind bidding (R8.3).

A figure lives only as long as its round is undecided, in SealedBid.sealed, which is encrypted
under the case's key like all content (R11.3: a database dump, the operator's view, or a backup
shows no figure, and the key that opens it is not kept beside the data). The audit
chain gets an HMAC commitment with a fresh 256-bit nonce: a plain hash of a number would be
brute-forced in a second; the commitment hides the figure and binds the bidder to it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from decimal import Decimal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


@dataclass(frozen=True)
class Sealed:
    token: str  # the payload the encrypted column stores
    commitment: str
    nonce: str


def commitment_of(nonce: str, context: str, amount: Decimal) -> str:
    return hmac.new(
        bytes.fromhex(nonce), f"{context}|{amount:.2f}".encode(), hashlib.sha256
    ).hexdigest()


def seal(amount: Decimal, context: str) -> Sealed:
    """`context` names the bidding, round and side, so a commitment is not replayable."""
    nonce = secrets.token_hex(32)
    token = json.dumps({"a": f"{amount:.2f}", "n": nonce, "c": context})
    return Sealed(token=token, commitment=commitment_of(nonce, context, amount), nonce=nonce)


def unseal(token: str, context: str) -> Decimal:
    data = json.loads(token)
    if data["c"] != context:
        raise ValueError("sealed bid does not belong here")
    return Decimal(data["a"])


_AUDIT_INFO = b"parley.negotiation.audit-hash.v1"


def keyed_hash(value: str) -> str:
    """An audit-chain hash of negotiation content (terms, ratings, amounts) that the other side
    cannot brute-force: the space of sums and ratings is small, so a plain SHA-256 would give
    them away to anyone who reads the chain. Keyed by a key derived from SECRET_KEY, the server
    can still check it against the stored content."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_AUDIT_INFO).derive(
        settings.SECRET_KEY.encode("utf-8")
    )
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
