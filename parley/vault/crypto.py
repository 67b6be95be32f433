"""The envelope format (R11.3), pure: no database, no settings.

A case's data key (AES-256-GCM) is stored wrapped: encrypted under the master key with the case
id as associated data, so a wrapped key copied onto another case does not open. Every item is
encrypted under its case's data key with a fresh 96-bit nonce and the item's identity (case,
kind of content, which row) as associated data, so a ciphertext moved onto another row or
another case fails to decrypt instead of showing the wrong content.

Text columns hold `v1:` + base64(nonce ‖ ciphertext ‖ tag); files hold the raw bytes with the
same layout behind a `PVF1` header. Migrations use these functions too: the format is one
definition shared by the code and the migration that converted existing rows."""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
TEXT_PREFIX = "v1:"
FILE_MAGIC = b"PVF1"


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def key_id(master: bytes) -> str:
    """Names a master key without revealing it (which key wrapped which case key)."""
    return hashlib.sha256(b"parley.master-key-id:" + master).hexdigest()[:16]


def _wrap_aad(case_id: int) -> bytes:
    return f"parley.case-key:{case_id}".encode()


def wrap(master: bytes, case_id: int, data_key: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(master).encrypt(nonce, data_key, _wrap_aad(case_id))


def unwrap(master: bytes, case_id: int, wrapped: bytes) -> bytes:
    return AESGCM(master).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _wrap_aad(case_id))


def item_aad(case_id: int, identity: str) -> bytes:
    return f"parley.item:{case_id}:{identity}".encode()


def seal(data_key: bytes, case_id: int, identity: str, plaintext: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(data_key).encrypt(nonce, plaintext, item_aad(case_id, identity))


def open_sealed(data_key: bytes, case_id: int, identity: str, sealed: bytes) -> bytes:
    return AESGCM(data_key).decrypt(
        sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], item_aad(case_id, identity)
    )


def seal_text(data_key: bytes, case_id: int, identity: str, text: str) -> str:
    sealed = seal(data_key, case_id, identity, text.encode("utf-8"))
    return TEXT_PREFIX + base64.b64encode(sealed).decode("ascii")


def open_text(data_key: bytes, case_id: int, identity: str, stored: str) -> str:
    if not stored.startswith(TEXT_PREFIX):
        raise ValueError("not an encrypted value")
    sealed = base64.b64decode(stored[len(TEXT_PREFIX) :])
    return open_sealed(data_key, case_id, identity, sealed).decode("utf-8")


SEALED_PREFIX = "s1:"


def seal_secret(master: bytes, purpose: str, text: str) -> str:
    """An account's secret (an authenticator app's key) sealed directly under the master key,
    named by it so rotation knows what to re-seal: `s1:<key id>:<base64>`."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = nonce + AESGCM(master).encrypt(
        nonce, text.encode("utf-8"), f"parley.secret:{purpose}".encode()
    )
    return f"{SEALED_PREFIX}{key_id(master)}:{base64.b64encode(sealed).decode('ascii')}"


def is_sealed_secret(stored: str) -> bool:
    return stored.startswith(SEALED_PREFIX)


def open_secret(master: bytes, purpose: str, stored: str) -> str:
    _, named, body = stored.split(":", 2)
    if named != key_id(master):
        raise ValueError(f"sealed under master key {named}, not {key_id(master)}")
    sealed = base64.b64decode(body)
    return (
        AESGCM(master)
        .decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], f"parley.secret:{purpose}".encode())
        .decode("utf-8")
    )
