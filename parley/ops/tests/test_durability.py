"""R9.2: an acknowledged entry is stored before the acknowledgement, and a retried post with the
same idempotency key never stores a second entry."""

from __future__ import annotations

import threading

import pytest
from django.db import connections, transaction

from parley.audit.models import AuditEvent
from parley.rooms.actions import do_post_entry
from parley.rooms.models import Entry
from parley.testing import ActiveCast, Api, entries_with_body


def entries_path(cast: ActiveCast, room: str) -> str:
    return f"/cases/{cast.case.pk}/rooms/{cast.room(room).pk}/entries"


def test_r9_2_a_retried_post_with_the_same_idempotency_key_stores_one_entry(
    active: ActiveCast,
) -> None:
    alice = Api(active.alice)
    payload = {"body": "We accept 7,000.", "client_key": "c5e1a7d2-retry-1"}
    first = alice.post(entries_path(active, "joint"), payload)
    # The connection dropped before the 201 arrived; the browser sends the same post again.
    again = alice.post(entries_path(active, "joint"), payload)
    assert first[0] == again[0] == 201
    assert first[1]["id"] == again[1]["id"]
    assert Entry.objects.filter(client_key="c5e1a7d2-retry-1").count() == 1
    assert AuditEvent.objects.filter(kind="entry_posted", subject_id=first[1]["id"]).count() == 1


def test_r9_2_the_same_key_from_two_people_is_two_entries(active: ActiveCast) -> None:
    payload = {"body": "Agreed.", "client_key": "same-key"}
    _, a = Api(active.alice).post(entries_path(active, "joint"), payload)
    _, b = Api(active.bob).post(entries_path(active, "joint"), payload)
    assert a["id"] != b["id"]


def test_r9_2_a_post_without_a_key_is_not_deduplicated(active: ActiveCast) -> None:
    alice = Api(active.alice)
    alice.post(entries_path(active, "joint"), {"body": "Hello"})
    alice.post(entries_path(active, "joint"), {"body": "Hello"})
    assert len(entries_with_body("Hello")) == 2


@pytest.mark.django_db(transaction=True)
def test_r9_2_an_entry_is_committed_before_the_201_returns(active: ActiveCast) -> None:
    status, entry = Api(active.bob).post(
        entries_path(active, "caucus_b"), {"body": "Only for the mediator.", "client_key": "k1"}
    )
    assert status == 201
    seen: list[bool] = []

    def read_on_another_connection() -> None:
        # A new thread has its own database connection: it sees only committed rows.
        try:
            seen.append(bool(entries_with_body("Only for the mediator.", pk=entry["id"])))
        finally:
            connections.close_all()

    reader = threading.Thread(target=read_on_another_connection)
    reader.start()
    reader.join()
    assert seen == [True]


@pytest.mark.skipif(
    connections["default"].vendor != "postgresql",
    reason="PostgreSQL's row lock and per-statement snapshots; the unit tests' in-memory SQLite "
    "refuses a second writer at once instead of making it wait",
)
@pytest.mark.django_db(transaction=True)
def test_r9_2_a_retry_sent_while_the_first_post_is_being_stored_returns_its_entry(
    active: ActiveCast,
) -> None:
    """The socket post is slow, the page gives up and posts again over HTTP with the same key:
    the retry waits for the case lock and must then see the entry the first one committed
    (not store a second one, nor fail on the key's unique constraint)."""
    room = active.room("joint").pk
    stored, release = threading.Event(), threading.Event()
    ids: dict[str, int] = {}
    errors: list[BaseException] = []

    def post(name: str, hold: bool) -> None:
        try:
            with transaction.atomic():
                entry = do_post_entry(
                    acting_user=active.alice,
                    case_id=active.case.pk,
                    room_id=room,
                    body="We accept 7,000.",
                    client_key="slow-socket-1",
                )
                ids[name] = entry.pk
                if hold:  # the first post has stored its entry but not yet committed
                    stored.set()
                    release.wait(10)
        except BaseException as exc:  # reported below, on the test's thread
            errors.append(exc)
            stored.set()
        finally:
            connections.close_all()

    first = threading.Thread(target=post, args=("first", True))
    retry = threading.Thread(target=post, args=("retry", False))
    first.start()
    try:
        assert stored.wait(10)
        retry.start()
        retry.join(0.5)
        assert retry.is_alive(), "the retry must wait for the first post's lock"
    finally:
        release.set()
        first.join(10)
        if retry.ident is not None:  # started
            retry.join(10)
    assert errors == []
    assert ids["retry"] == ids["first"]
    assert Entry.objects.filter(client_key="slow-socket-1").count() == 1
