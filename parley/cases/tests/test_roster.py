"""The roster cache (cases/roster.py) must never serve a stale roster: a stale one would push a
caucus entry to someone no longer entitled to it, or let someone post who no longer may.

Its key is a token that database triggers replace whenever a table the policy context reads
changes. These tests pin both halves: every such table bumps the token on insert, update and
delete through any path (queryset updates send no signals), and load_context reads no table
outside that list."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta
from importlib import import_module
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.fixtures import Settings

from parley.accounts.models import User
from parley.agreements.models import (
    Agreement,
    ConflictDisclosure,
    DisclosureAcknowledgement,
    Signature,
)
from parley.cases.access import enter_case, load_context, lock_case
from parley.cases.models import Case, Invitation, Participant, RosterVersion, Side
from parley.cases.roster import forget_all
from parley.rooms.actions import do_post_entry
from parley.rooms.models import Room
from parley.testing import ActiveCast

ROSTER_TABLES = {
    table for table, _ in import_module("parley.cases.migrations.0002_roster_version").ROSTER_TABLES
}


def token(case: Case) -> str | None:
    return RosterVersion.objects.filter(case=case).values_list("token", flat=True).first()


def tables_in(sql: str) -> set[str]:
    return {m.strip('"') for m in re.findall(r'(?:FROM|JOIN)\s+("?[a-z_]+"?)', sql)}


def test_r3_load_context_reads_only_tables_whose_changes_bump_the_roster_version(
    active: ActiveCast,
) -> None:
    forget_all()
    # Signing and invitation counts are only read in some statuses: read in all of them.
    read: set[str] = set()
    for status in ("setup", "signing", "active"):
        case = Case.objects.get(pk=active.case.pk)
        case.status = status
        with CaptureQueriesContext(connection) as queries:
            load_context(case)
        for q in queries.captured_queries:
            read |= tables_in(q["sql"])
    assert read, "load_context ran no queries?"
    # Every table it reads feeds the roster; the case row itself is read fresh on every write.
    assert read - {"cases_case"} <= ROSTER_TABLES, read - ROSTER_TABLES


def rows_to_touch(cast: ActiveCast) -> list[tuple[Any, Any]]:
    case = cast.case
    agreement = Agreement.objects.filter(case=case).first()
    disclosure = ConflictDisclosure.objects.create(
        case=case, text="Once met Bob at a conference.", needs_acknowledgement=True
    )
    ack = DisclosureAcknowledgement.objects.create(
        disclosure=disclosure, participant=cast.participant(cast.alice)
    )
    invitation = Invitation.objects.create(
        case=case,
        email="someone@example.com",
        display_name="Someone",
        role="counsel",
        expires_at=timezone.now() + timedelta(days=3),
    )
    return [
        (Participant, cast.participant(cast.bob).pk),
        (Side, Side.objects.filter(case=case).first().pk),  # type: ignore[union-attr]
        (Invitation, invitation.pk),
        (Room, cast.room("caucus_a").pk),
        (Agreement, agreement.pk),  # type: ignore[union-attr]
        (ConflictDisclosure, disclosure.pk),
        (Signature, Signature.objects.filter(agreement=agreement).first().pk),  # type: ignore[union-attr]
        (DisclosureAcknowledgement, ack.pk),
        (User, cast.bob.pk),
    ]


def test_r3_every_roster_table_bumps_the_version_on_update_and_delete_without_signals(
    active: ActiveCast,
) -> None:
    touched = rows_to_touch(active)
    assert {m._meta.db_table for m, _ in touched} == ROSTER_TABLES
    for model, pk in touched:
        before = token(active.case)
        # A queryset update: no save(), no signals, only the database notices.
        model.objects.filter(pk=pk).update(id=F("id"))
        after = token(active.case)
        assert after and after != before, f"an update of {model.__name__} left the version"
    for model in (DisclosureAcknowledgement, Invitation):
        before = token(active.case)
        model.objects.filter(pk=dict(touched)[model]).delete()
        assert token(active.case) != before, f"a delete of {model.__name__} left the version"


def test_r3_an_insert_into_a_roster_table_bumps_the_version(active: ActiveCast) -> None:
    before = token(active.case)
    ConflictDisclosure.objects.create(case=active.case, text="", needs_acknowledgement=False)
    assert token(active.case) != before


def recipients(cast: ActiveCast, room: str) -> list[int]:
    with transaction.atomic():
        ctx, _ = enter_case(cast.alice, cast.case.pk)
        return ctx.recipients(cast.room(room).pk)


def test_r3_2_a_roster_change_made_behind_the_orms_back_is_seen_by_the_next_post(
    active: ActiveCast,
) -> None:
    """Carol moves to the other side by a bare UPDATE: the very next caucus post must not
    reach her, though the cache held the old roster a moment ago."""
    forget_all()
    carol = active.participant(active.carol).pk
    assert carol in recipients(active, "caucus_a")  # cached now
    side_b = Room.objects.get(pk=active.room("caucus_b").pk).side_id
    Participant.objects.filter(pk=carol).update(side_id=side_b)
    assert carol not in recipients(active, "caucus_a")
    assert carol in recipients(active, "caucus_b")


def test_r3_a_rolled_back_roster_change_does_not_poison_the_cache(active: ActiveCast) -> None:
    forget_all()
    carol = active.participant(active.carol).pk
    side_b = Room.objects.get(pk=active.room("caucus_b").pk).side_id
    try:
        with transaction.atomic():
            Participant.objects.filter(pk=carol).update(side_id=side_b)
            assert carol in recipients(active, "caucus_b")  # seen (and cached) inside
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert carol in recipients(active, "caucus_a")
    assert carol not in recipients(active, "caucus_b")


def test_the_locked_case_reads_as_the_orm_reads_it(active: ActiveCast) -> None:
    """The lock's own statement must convert columns as the ORM does: on SQLite a bare cursor
    gives naive datetimes, which then fail against aware ones."""
    forget_all()
    stored = Case.objects.get(pk=active.case.pk)
    for _ in range(2):  # a cache miss, then a hit
        with transaction.atomic():
            ctx, _ = enter_case(active.alice, active.case.pk)
        assert timezone.is_aware(ctx.case.created_at)
        for field in Case._meta.concrete_fields:
            assert getattr(ctx.case, field.attname) == getattr(stored, field.attname), field.name
        # A saved locked case writes what it read back unchanged.
        ctx.case.save()
        again = Case.objects.get(pk=active.case.pk)
        for field in Case._meta.concrete_fields:
            assert getattr(again, field.attname) == getattr(stored, field.attname), field.name


def test_r3_2_a_case_without_a_roster_version_is_entered_with_its_roster_read_afresh(
    active: ActiveCast,
) -> None:
    forget_all()
    carol = active.participant(active.carol).pk
    assert carol in recipients(active, "caucus_a")
    RosterVersion.objects.filter(case=active.case).delete()
    Participant.objects.filter(pk=carol).update(side_id=active.room("caucus_b").side_id)
    RosterVersion.objects.filter(case=active.case).delete()  # the update wrote a new one
    assert carol not in recipients(active, "caucus_a")
    assert carol in recipients(active, "caucus_b")


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has one writer at a time: a waiting writer begins after the change commits",
)
@pytest.mark.django_db(transaction=True)
def test_r3_2_a_post_that_waited_for_the_lock_sees_the_roster_change_made_meanwhile(
    active: ActiveCast,
) -> None:
    """Carol is moved to side B by a transaction holding the case lock. A caucus post that
    started while it held the lock waits for it; its statement's snapshot predates the move,
    yet it must see the new roster, not the one cached under the old version."""
    forget_all()
    carol = active.participant(active.carol).pk
    side_b = Room.objects.get(pk=active.room("caucus_b").pk).side_id
    assert carol in recipients(active, "caucus_a")  # cached under the current version
    holding = threading.Event()

    def move_carol() -> None:
        try:
            with transaction.atomic():
                lock_case(active.case.pk)
                Participant.objects.filter(pk=carol).update(side_id=side_b)
                holding.set()
                time.sleep(0.5)
        finally:
            holding.set()
            connection.close()

    mover = threading.Thread(target=move_carol)
    mover.start()
    assert holding.wait(10)
    waited = recipients(active, "caucus_a")
    mover.join(10)
    assert carol not in waited


def test_posting_twice_reads_the_roster_once(active: ActiveCast) -> None:
    forget_all()
    room = active.room("joint").pk
    do_post_entry(acting_user=active.alice, case_id=active.case.pk, room_id=room, body="one")
    with CaptureQueriesContext(connection) as queries:
        do_post_entry(acting_user=active.alice, case_id=active.case.pk, room_id=room, body="two")
    read = set().union(*(tables_in(q["sql"]) for q in queries.captured_queries))
    assert not read & (ROSTER_TABLES - {"cases_participant"}), read


def test_r3_2_with_the_cache_off_every_write_reads_the_roster_afresh(
    active: ActiveCast, settings: Settings
) -> None:
    settings.PARLEY_ROSTER_CACHE_CASES = 0
    forget_all()
    room = active.room("joint").pk
    do_post_entry(acting_user=active.alice, case_id=active.case.pk, room_id=room, body="one")
    with CaptureQueriesContext(connection) as queries:
        do_post_entry(acting_user=active.alice, case_id=active.case.pk, room_id=room, body="two")
    read = set().union(*(tables_in(q["sql"]) for q in queries.captured_queries))
    assert "cases_rosterversion" not in read
    assert read & (ROSTER_TABLES - {"cases_participant"}), read
    carol = active.participant(active.carol).pk
    side_b = Room.objects.get(pk=active.room("caucus_b").pk).side_id
    Participant.objects.filter(pk=carol).update(side_id=side_b)
    assert carol in recipients(active, "caucus_b")
