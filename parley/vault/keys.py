"""Case keys: created with the case, unwrapped on first use in a process and kept a short while,
destroyed under the retention policy (R11.3, R11.4)."""

from __future__ import annotations

import threading
import time
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from parley.errors import DomainError
from parley.vault import crypto
from parley.vault.models import CaseKey

# An unwrapped key is kept this long in each process, so a key destroyed in one process stops
# opening content everywhere within this time.
KEEP_SECONDS = 60.0

_lock = threading.Lock()
_keys: dict[int, tuple[bytes, float]] = {}


class ContentDestroyed(DomainError):
    """The case's key was destroyed under the retention policy: its content is gone for good."""

    status = 410

    def __init__(self, when: datetime) -> None:
        self.when = when
        super().__init__(
            "content_destroyed",
            f"Content destroyed under the retention policy on {when:%Y-%m-%d}.",
        )


def master() -> bytes:
    key: bytes = settings.PARLEY_MASTER_KEY
    return key


def create_case_key(case_id: int) -> CaseKey:
    """A fresh data key for a new case, stored only wrapped."""
    data_key = crypto.new_key()
    row = CaseKey.objects.create(
        case_id=case_id,
        wrapped=crypto.wrap(master(), case_id, data_key),
        master_id=crypto.key_id(master()),
    )
    with _lock:
        _keys[case_id] = (data_key, time.monotonic())
    return row


def data_key(case_id: int) -> bytes:
    """The case's data key. Raises ContentDestroyed once the retention policy destroyed it."""
    now = time.monotonic()
    with _lock:
        found = _keys.get(case_id)
    if found is not None and now - found[1] < KEEP_SECONDS:
        return found[0]
    row = CaseKey.objects.filter(case_id=case_id).first()
    if row is None:
        # A case from before encryption that the migration did not see cannot happen; a case
        # created outside do_create_case (a test fixture, a shell) gets its key here.
        with transaction.atomic():
            row = CaseKey.objects.select_for_update().filter(case_id=case_id).first()
            if row is None:
                return create_case_key_unlocked(case_id)
    if row.destroyed_at is not None:
        forget(case_id)
        raise ContentDestroyed(row.destroyed_at)
    if row.master_id != crypto.key_id(master()):
        raise RuntimeError(
            f"case {case_id}'s key is wrapped by master key {row.master_id}, not the configured "
            f"one ({crypto.key_id(master())}): finish `parley keys rotate` or set the right key"
        )
    key = crypto.unwrap(master(), case_id, bytes(row.wrapped))
    with _lock:
        _keys[case_id] = (key, now)
        if len(_keys) > 10_000:
            _keys.pop(next(iter(_keys)))
    return key


def prime(case_id: int) -> None:
    """Load the case's key into this process's cache if it has one, so that a write does not
    fetch it while it holds the case lock. Never creates a
    key and never raises for a case that does not exist or was shredded: the write's own
    checks answer those."""
    with _lock:
        found = _keys.get(case_id)
    if found is not None and time.monotonic() - found[1] < KEEP_SECONDS:
        return
    if CaseKey.objects.filter(case_id=case_id, destroyed_at__isnull=True).exists():
        data_key(case_id)


def create_case_key_unlocked(case_id: int) -> bytes:
    create_case_key(case_id)
    return _keys[case_id][0]


def forget(case_id: int | None = None) -> None:
    with _lock:
        if case_id is None:
            _keys.clear()
        else:
            _keys.pop(case_id, None)


def destroy(case_id: int) -> datetime:
    """Crypto-shredding: the wrapped key is erased; no copy of the database opens the content."""
    when = timezone.now()
    CaseKey.objects.filter(case_id=case_id, destroyed_at__isnull=True).update(
        wrapped=b"", destroyed_at=when
    )
    forget(case_id)
    return when


def destroyed_at(case_id: int) -> datetime | None:
    return CaseKey.objects.filter(case_id=case_id).values_list("destroyed_at", flat=True).first()


def seal_text(case_id: int, identity: str, text: str) -> str:
    return crypto.seal_text(data_key(case_id), case_id, identity, text)


def open_text(case_id: int, identity: str, stored: str) -> str:
    return crypto.open_text(data_key(case_id), case_id, identity, stored)


def seal_bytes(case_id: int, identity: str, data: bytes) -> bytes:
    return crypto.FILE_MAGIC + crypto.seal(data_key(case_id), case_id, identity, data)


def open_bytes(case_id: int, identity: str, stored: bytes) -> bytes:
    if not stored.startswith(crypto.FILE_MAGIC):
        raise ValueError("not an encrypted file")
    return crypto.open_sealed(
        data_key(case_id), case_id, identity, stored[len(crypto.FILE_MAGIC) :]
    )


def rotate(new_master: bytes) -> int:
    """Re-wrap every live case key under `new_master` (content is not touched). Returns how
    many keys were re-wrapped. One transaction: all or none."""
    old = master()
    count = 0
    with transaction.atomic():
        for row in CaseKey.objects.select_for_update().filter(destroyed_at__isnull=True):
            if row.master_id == crypto.key_id(new_master):
                continue
            key = crypto.unwrap(old, row.case_id, bytes(row.wrapped))
            row.wrapped = crypto.wrap(new_master, row.case_id, key)
            row.master_id = crypto.key_id(new_master)
            row.rotated_at = timezone.now()
            row.save(update_fields=["wrapped", "master_id", "rotated_at"])
            count += 1
    forget()
    return count


# Authenticator apps' keys and recovery-code seeds: sealed under the master key itself (they
# belong to an account, not a case). A value stored before sealing existed opens as it is until
# the accounts migration seals it.
ACCOUNT_PURPOSE = "account-second-factor"


def seal_account_secret(text: str) -> str:
    return crypto.seal_secret(master(), ACCOUNT_PURPOSE, text)


def open_account_secret(stored: str) -> str:
    if not crypto.is_sealed_secret(stored):
        return stored
    return crypto.open_secret(master(), ACCOUNT_PURPOSE, stored)


def reseal_account_secret(stored: str, old_master: bytes, new_master: bytes) -> str:
    text = (
        crypto.open_secret(old_master, ACCOUNT_PURPOSE, stored)
        if crypto.is_sealed_secret(stored)
        else stored
    )
    return crypto.seal_secret(new_master, ACCOUNT_PURPOSE, text)
