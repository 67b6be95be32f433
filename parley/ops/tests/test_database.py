"""The PostgreSQL connection settings the hot paths rely on."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from parley.env import ConfigError, database_from_url
from parley.errors import NotFound
from parley.rooms.actions import do_post_entry
from parley.rooms.models import Entry
from parley.testing import ActiveCast

URL = "postgresql://parley@db.example.org/parley"


def alice_posts(active: ActiveCast, key: str, *, room_id: int | None = None) -> Entry:
    """Alice posts "Offer <key>." in the joint room (or in `room_id`) under idempotency key `key`."""
    return do_post_entry(
        acting_user=active.alice,
        case_id=active.case.pk,
        room_id=active.room("joint").pk if room_id is None else room_id,
        body=f"Offer {key}.",
        client_key=key,
    )


def test_postgresql_prepares_statements_unless_an_operator_turns_it_off(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PARLEY_DB_PREPARED", raising=False)
    options = database_from_url(URL, tmp_path)["OPTIONS"]
    assert isinstance(options, dict)
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == 5
    # Behind a pooler that cannot carry prepared statements (PgBouncer before 1.21).
    monkeypatch.setenv("PARLEY_DB_PREPARED", "0")
    options = database_from_url(URL, tmp_path)["OPTIONS"]
    assert isinstance(options, dict)
    assert "server_side_binding" not in options
    assert "prepare_threshold" not in options
    assert "pool" in options  # the pool does not depend on it
    monkeypatch.setenv("PARLEY_DB_PREPARED", "sometimes")
    with pytest.raises(ConfigError, match="PARLEY_DB_PREPARED must be true or false"):
        database_from_url(URL, tmp_path)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)
def test_posting_reuses_prepared_statements_on_its_connection(active: ActiveCast) -> None:
    for n in range(6):
        alice_posts(active, f"prepared-{n}")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            ['INSERT INTO "rooms_entry"%'],
        )
        prepared = cursor.fetchall()
    # The server planned the entry's INSERT once and ran it again by name.
    assert len(prepared) == 1


@pytest.mark.django_db(transaction=True)
def test_a_refused_post_leaves_the_connection_ready_for_the_next(active: ActiveCast) -> None:
    """The refusal comes after the case lock is taken: the rollback must leave the connection
    idle, with nothing stored, for the writer's next post."""
    for n in range(3):
        with pytest.raises(NotFound):
            alice_posts(active, f"r{n}", room_id=0)
        entry = alice_posts(active, f"s{n}")
        assert connection.get_autocommit()
        assert Entry.objects.get(pk=entry.pk).body == f"Offer s{n}."
    assert not Entry.objects.filter(client_key__startswith="r").exists()
