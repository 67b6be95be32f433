"""The audit chain as each person of the cast reads it (R9.1, R3.6, R8.3, R7.1, R2.3).

Everyone who takes part verifies the whole chain (every link: order, completeness, no edit)
and opens exactly the events about what they may see. What they may see is written out here
by hand from the rules (R3's rooms, R8.3's sealed figures, R7.1's declaration), not computed
by the policy under test. A link they cannot open carries no kind, author, room, time or hash
of anything; no record anyone opens holds a bare SHA-256 of a short secret (an e-mail
address, an answer, a provenance, an entry's text)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from parley.accounts.models import User
from parley.audit.chain import Link, Opening, verify
from parley.audit.models import AuditEvent
from parley.cases.models import Case
from parley.cases.policy import Role
from parley.meetings.tests.helpers import Capture, schedule
from parley.negotiation.models import Offer, Rating
from parley.negotiation.tests.helpers import base, side_ids
from parley.rooms.models import Entry
from parley.testing import ActiveCast, Api, add_person, small_pdf

NOT_FOUND = {"code": "not_found", "detail": "Not found."}
LINK_KEYS = {"seq", "commitment", "prev_hash", "hash", "opening"}


@pytest.fixture(autouse=True)
def media_in_tmp(settings: SettingsWrapper, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "documents"


def path(cast: ActiveCast, tail: str = "") -> str:
    return f"/cases/{cast.case.pk}{tail}"


def write(cast: ActiveCast, user: User, room: str, body: str) -> dict[str, Any]:
    status, entry = Api(user).post(
        path(cast, f"/rooms/{cast.room(room).pk}/entries"), {"body": body}
    )
    assert status == 201, entry
    return dict(entry)


SECRETS = {
    "joint": "Welcome to the joint session",
    "caucus_a": "Alice would take 41,000",
    "caucus_b": "Bob's ceiling is 52,000",
    "counsel_a": "Carol advises Alice to hold",
    "counsel_b": "Bob thinks aloud without a lawyer",
    "notebook": "Maya notes: both are close",
}


def busy_case(cast: ActiveCast) -> dict[str, User]:
    """Something in every room, an instruction change, a share, a document, an offer given in
    caucus and shared, an answer, ratings, a sealed bid, and Bob's declaration ending it."""
    otto = add_person(cast, "otto@example.com", "Otto Observer", Role.OBSERVER)
    uma = add_person(
        cast, "uma@example.com", "Uma Unsigned", Role.SUPPORT, side=side_ids(cast)[1], sign=False
    )
    for room, text in SECRETS.items():
        author = {
            "joint": cast.maya,
            "caucus_a": cast.alice,
            "caucus_b": cast.bob,
            "counsel_a": cast.carol,
            "counsel_b": cast.bob,
            "notebook": cast.maya,
        }[room]
        write(cast, author, room, text)
    shared = write(cast, cast.bob, "caucus_b", "Bob may pay the survey costs")
    status, _ = Api(cast.maya).post(
        path(cast, f"/entries/{shared['id']}/share"), {"target_room": cast.room("joint").pk}
    )
    assert status == 201
    kept = write(cast, cast.alice, "caucus_a", "Alice's health is the real issue")
    status, _ = Api(cast.carol).post(
        path(cast, f"/entries/{kept['id']}/instruction"), {"instruction": "do_not_disclose"}
    )
    assert status == 200
    client = Client()
    client.force_login(cast.bob)
    response = client.post(
        f"/api/v1{path(cast, '/documents')}",
        {
            "room": cast.room("caucus_b").pk,
            "provenance": "prepared",
            "file": SimpleUploadedFile("quote.pdf", small_pdf()),
        },
    )
    assert response.status_code == 201, response.content
    alice_side, bob_side = side_ids(cast)
    status, offer = Api(cast.bob).post(
        f"{base(cast)}/offers",
        {
            "room": cast.room("caucus_b").pk,
            "kind": "sum",
            "amount": "47000",
            "payer": bob_side,
            "payee": alice_side,
        },
    )
    assert status == 201, offer
    Api(cast.maya).post(
        path(cast, f"/entries/{offer['entry']}/share"), {"target_room": cast.room("caucus_a").pk}
    )
    assert Api(cast.alice).post(f"{base(cast)}/offers/{offer['id']}/reject")[0] == 200
    Api(cast.maya).put(f"{base(cast)}/issues", {"kind": "items", "issues": [{"title": "Shed"}]})
    assert Api(cast.alice).put(f"{base(cast)}/ratings", {"points": [100]})[0] == 200
    Api(cast.maya).post(f"{base(cast)}/bidding", {"payer": bob_side, "claimant": alice_side})
    assert Api(cast.alice).post(f"{base(cast)}/bidding/bids", {"amount": "60000"})[0] == 201
    assert Api(cast.bob).post(path(cast, "/terminate"), {"statement": "I stop here."})[0] == 200
    return {
        "maya": cast.maya,
        "alice": cast.alice,
        "bob": cast.bob,
        "carol": cast.carol,
        "otto": otto,
        "uma": uma,
    }


# What each person may see, by the rules, written out by hand.
ROOMS = {
    "maya": {"joint", "caucus_a", "caucus_b", "notebook"},
    "alice": {"joint", "caucus_a", "counsel_a"},
    "carol": {"joint", "caucus_a", "counsel_a"},
    "bob": {"joint", "caucus_b", "counsel_b"},
    "otto": {"joint"},
    "uma": set(),  # has not signed: in no room (R2.3)
}
SIDE = {"alice": "a", "carol": "a", "bob": "b"}


def room_names(cast: ActiveCast) -> dict[int, str]:
    return {room.pk: name for name, room in cast.rooms.items()}


def expected_readers(cast: ActiveCast, event: AuditEvent, people: dict[str, User]) -> set[str]:
    """Who may open this event, from what it is about (read from the database)."""
    names = room_names(cast)
    signed = {n for n in people if n != "uma"}

    def of_rooms(room_ids: set[int]) -> set[str]:
        return {n for n in signed if ROOMS[n] & {names[r] for r in room_ids}}

    kind, subject = event.kind, int(event.subject_id or 0)
    if kind in ("entry_posted", "instruction_changed", "document_uploaded", "entry_shared"):
        return of_rooms({Entry.objects.get(pk=subject).room_id})
    if kind.startswith("offer_"):
        offer = Offer.objects.get(pk=subject)
        rooms = {offer.entry.room_id} | {c.room_id for c in offer.entry.copies.all()}
        return of_rooms(rooms)
    if kind == "ratings_recorded":
        return of_rooms({Rating.objects.get(pk=subject).entry.room_id})
    if kind == "bid_sealed":
        return {n for n in signed if SIDE.get(n) == "a"}  # Alice's bid: her side alone
    if kind in ("bidding_configured", "bidding_closed", "issues_set"):
        return of_rooms({cast.room("joint").pk})
    if kind == "case_terminated":
        return {"maya", "bob"}  # Bob's declaration to the mediator, in his caucus (R7.1)
    if kind == "invitation_created":
        return {"maya"}
    return signed  # case-wide: agreement, signatures, invitations accepted


def test_r9_1_r3_6_each_person_verifies_the_whole_chain_and_opens_only_what_they_may_see(
    active: ActiveCast,
) -> None:
    people = busy_case(active)
    case = Case.objects.get(pk=active.case.pk)
    events = {e.seq: e for e in AuditEvent.objects.filter(case=case)}
    kinds = {e.kind for e in events.values()}
    assert {"bid_sealed", "entry_shared", "offer_answered", "case_terminated"} <= kinds
    emails = [u.email for u in (*people.values(), active.olga)]
    bare = {
        hashlib.sha256(s.encode()).hexdigest()
        for s in [*SECRETS.values(), *emails, "accept", "reject", "prepared", "I stop here."]
    }

    assert Api(active.olga).get(path(active, "/audit")) == (404, NOT_FOUND)
    assert Api(active.olga).get(path(active, "/audit/verify")) == (404, NOT_FOUND)
    for name, user in people.items():
        status, links = Api(user).get(path(active, "/audit"))
        assert status == 200
        assert [link["seq"] for link in links] == list(range(1, case.audit_count + 1))
        opened = set()
        for link in links:
            assert set(link) == LINK_KEYS
            if link["opening"] is not None:
                opened.add(link["seq"])
        expected = {seq for seq, e in events.items() if name in expected_readers(active, e, people)}
        assert opened == expected, (
            name,
            [(s, events[s].kind, events[s].audience) for s in opened ^ expected],
        )
        # Nothing of an event this person cannot open is anywhere in what they read.
        text = json.dumps(links)
        for seq, event in events.items():
            if seq not in opened:
                assert event.salt not in text
                for value in event.content_hashes.values():
                    if isinstance(value, str) and len(value) == 64:  # a hash or commitment
                        assert value not in text, (name, event.kind)
        assert not any(h in text for h in bare), name
        for secret in SECRETS.values():
            assert secret not in text
        # They verify it themselves: every link, every opening they hold ...
        own = verify(
            case.pk,
            [Link(x["seq"], x["commitment"], x["prev_hash"], x["hash"]) for x in links],
            case.audit_head,
            case.audit_count,
            {
                x["seq"]: Opening(x["opening"]["salt"], x["opening"]["record"])
                for x in links
                if x["opening"]
            },
        )
        assert own.ok and own.opened == len(expected), (name, own)
        # ... and the server's verifier agrees.
        status, verdict = Api(user).get(path(active, "/audit/verify"))
        assert (status, verdict["ok"], verdict["opened"]) == (200, True, len(expected))


def test_r10_1_r9_1_a_caucus_sessions_events_open_to_that_side_and_the_mediator_only(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    side_a = active.participant(active.alice).side_id
    session = schedule(active, django_capture_on_commit_callbacks, kind="caucus", side=side_a)
    Api(active.maya).post(path(active, f"/sessions/{session['id']}/cancel"), {})
    for user, opens in ((active.maya, True), (active.carol, True), (active.bob, False)):
        _, links = Api(user).get(path(active, "/audit"))
        kinds = [x["opening"]["record"]["kind"] for x in links if x["opening"]]
        assert ("session_scheduled" in kinds, "session_cancelled" in kinds) == (opens, opens)
        assert ("session_" in json.dumps(links)) == opens
