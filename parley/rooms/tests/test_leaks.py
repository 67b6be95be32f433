"""Adversarial confidentiality tests: each one tries to read something a rule forbids, through a
real read path (the JSON API, the pages, the WebSocket, exports, the audit chain, reports).

Two leaks these found (a party's termination statement could be shared; a counter-offer given
in caucus closed the original in view of its side) are fixed; their tests stay."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import replace
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parley.accounts.models import User
from parley.agreements.policy import AgreementPolicy
from parley.audit.chain import salted_hash
from parley.cases.actions import do_accept_invitation, do_invite
from parley.cases.policy import Role
from parley.cases.record import export_for
from parley.errors import NotFound
from parley.negotiation.tests.helpers import base, side_ids
from parley.rooms.actions import do_post_entry
from parley.rooms.policy import Instruction
from parley.testing import PASSWORD, ActiveCast, Api, Cast, build_case, make_cast, open_socket

NOT_FOUND = {"code": "not_found", "detail": "Not found."}
SECRET = "Our walk-away figure is 7,314 and the boat stays with us"
MISSING = 999_999


def page(content: bytes) -> bytes:
    """A page without its CSRF token, which is masked afresh on every render."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


def case_path(cast: ActiveCast) -> str:
    return f"/cases/{cast.case.pk}"


def post(cast: ActiveCast, user: User, room: str, body: str, **extra: Any) -> dict[str, Any]:
    status, entry = Api(user).post(
        f"{case_path(cast)}/rooms/{cast.room(room).pk}/entries", {"body": body, **extra}
    )
    assert status == 201, entry
    return dict(entry)


def audit_links(cast: ActiveCast, user: User, kind: str) -> list[dict[str, Any]]:
    """The records of `kind` that `user` can open in the chain."""
    status, links = Api(user).get(f"{case_path(cast)}/audit")
    assert status == 200, links
    opened = [link["opening"]["record"] for link in links if link["opening"]]
    return [record for record in opened if record["kind"] == kind]


def set_items(cast: ActiveCast) -> None:
    status, body = Api(cast.maya).put(
        f"{base(cast)}/issues",
        {
            "kind": "items",
            "issues": [{"title": "Speedboat"}, {"title": "Chalet"}, {"title": "Piano"}],
        },
    )
    assert status == 200, body


def add_unsigned_support(cast: ActiveCast) -> User:
    """Dana joins Bob's side as support after the case started, and has not signed (R2.3)."""
    dana = User.objects.create_user("dana@example.com", PASSWORD, full_name="Dana Support")
    _, token = do_invite(
        acting_user=cast.maya,
        case_id=cast.case.pk,
        email=dana.email,
        display_name=dana.full_name,
        role=Role.SUPPORT,
        side_id=side_ids(cast)[1],
        send_mail=False,
    )
    do_accept_invitation(acting_user=dana, token=token)
    return dana


# --- The audit chain: content hashes must not let anyone test a guess (R9.1, R3.5, R8.4) -----


def test_r8_4_a_sides_ratings_hash_in_the_audit_chain_cannot_be_matched_by_another_side(
    active: ActiveCast,
) -> None:
    """Bob records exactly the figures he guesses Alice gave; the chain must not tell him he
    guessed right. Alice's own side can still check her hash with her entry's salt."""
    set_items(active)
    status, alices = Api(active.alice).put(f"{base(active)}/ratings", {"points": [50, 30, 20]})
    assert status == 200, alices
    assert Api(active.bob).put(f"{base(active)}/ratings", {"points": [50, 30, 20]})[0] == 200
    # Bob opens only his own side's event; the mediator, in both caucuses, opens both.
    assert len(audit_links(active, active.bob, "ratings_recorded")) == 1
    hashes = [
        link["content_hashes"]["ratings"]
        for link in audit_links(active, active.maya, "ratings_recorded")
    ]
    assert len(hashes) == 2
    assert hashes[0] != hashes[1]
    # Bob cannot read Alice's rating entry, so he never gets its salt.
    entry_path = f"{case_path(active)}/entries/{alices['entry']}"
    assert Api(active.bob).get(entry_path) == (404, NOT_FOUND)
    status, entry = Api(active.carol).get(entry_path)
    assert status == 200
    expected = salted_hash(entry["audit_salt"], json.dumps({"points": [50, 30, 20]}))
    assert hashes[0] == expected


def test_r3_5_a_caucus_offers_terms_hash_cannot_be_matched_by_the_same_offer_from_the_other_side(
    active: ActiveCast,
) -> None:
    alice_side, bob_side = side_ids(active)
    terms = {"kind": "sum", "amount": "7314", "payer": bob_side, "payee": alice_side}
    for user, room in ((active.alice, "caucus_a"), (active.bob, "caucus_b")):
        status, made = Api(user).post(
            f"{base(active)}/offers", {"room": active.room(room).pk, **terms}
        )
        assert status == 201, made
    assert len(audit_links(active, active.bob, "offer_made")) == 1
    hashes = [
        link["content_hashes"]["terms"] for link in audit_links(active, active.maya, "offer_made")
    ]
    assert len(hashes) == 2
    assert hashes[0] != hashes[1]


def test_r3_5_an_entry_body_hash_in_the_audit_chain_is_keyed_by_a_salt_only_readers_get(
    active: ActiveCast,
) -> None:
    entry = post(active, active.alice, "caucus_a", "7314")
    mine = [x for x in audit_links(active, active.bob, "entry_posted")]
    assert entry["id"] not in [x["subject_id"] for x in mine]  # Bob cannot open it at all
    (link,) = [
        x
        for x in audit_links(active, active.carol, "entry_posted")
        if x["subject_id"] == entry["id"]
    ]
    assert link["content_hashes"]["body"] == salted_hash(entry["audit_salt"], "7314")
    assert entry["audit_salt"] not in json.dumps(Api(active.bob).get(f"{case_path(active)}/audit"))
    assert Api(active.bob).get(f"{case_path(active)}/entries/{entry['id']}") == (404, NOT_FOUND)


# --- Asking for what you may not see looks like asking for what is missing (R3.6) ----------


def test_r3_6_another_sides_entry_document_and_offer_look_exactly_like_missing_ones(
    active: ActiveCast,
) -> None:
    alice_side, bob_side = side_ids(active)
    entry = post(active, active.alice, "caucus_a", SECRET)
    status, doc_entry = Api(active.carol).post(
        f"{case_path(active)}/rooms/{active.room('counsel_a').pk}/entries", {"body": "x"}
    )
    assert status == 201
    client = Client()
    client.force_login(active.carol)
    upload = SimpleUploadedFile("notes.txt", b"between us: 7,314", content_type="text/plain")
    response = client.post(
        f"/api/v1{case_path(active)}/documents",
        {"room": active.room("counsel_a").pk, "provenance": "prepared", "file": upload},
    )
    assert response.status_code == 201, response.content
    document = response.json()["document"]["id"]
    status, offer = Api(active.alice).post(
        f"{base(active)}/offers",
        {
            "room": active.room("caucus_a").pk,
            "kind": "sum",
            "amount": "7314",
            "payer": bob_side,
            "payee": alice_side,
        },
    )
    assert status == 201
    cases = [
        (active.bob, f"/entries/{entry['id']}", f"/entries/{MISSING}"),
        (
            active.bob,
            f"/entries/{entry['id']}/instruction-history",
            f"/entries/{MISSING}/instruction-history",
        ),
        (active.maya, f"/entries/{doc_entry['id']}", f"/entries/{MISSING}"),
        (active.maya, f"/documents/{document}", f"/documents/{MISSING}"),
        (active.maya, f"/documents/{document}/content", f"/documents/{MISSING}/content"),
        (active.bob, f"/negotiation/offers/{offer['id']}", f"/negotiation/offers/{MISSING}"),
        (
            active.maya,
            f"/rooms/{active.room('counsel_a').pk}/entries",
            f"/rooms/{MISSING}/entries",
        ),
    ]
    for user, forbidden, missing in cases:
        api = Api(user)
        got = api.client.get(f"/api/v1{case_path(active)}{forbidden}")
        gone = api.client.get(f"/api/v1{case_path(active)}{missing}")
        assert (got.status_code, got.content) == (gone.status_code, gone.content), forbidden
        assert (got.status_code, got.json()) == (404, NOT_FOUND)
    # Writes aimed at what you cannot see are refused the same way.
    for user, path, data in (
        (active.bob, f"/entries/{entry['id']}/instruction", {"instruction": "may_disclose"}),
        (active.bob, f"/entries/{entry['id']}/share", {"target_room": active.room("joint").pk}),
        (active.bob, f"/negotiation/offers/{offer['id']}/accept", None),
        (active.maya, f"/rooms/{active.room('counsel_a').pk}/entries", {"body": "hello"}),
    ):
        assert Api(user).post(f"{case_path(active)}{path}", data) == (404, NOT_FOUND), path
    # The pages: one 404 page, byte for byte.
    web = Client()
    web.force_login(active.maya)
    for forbidden, missing in (
        (f"/entries/{doc_entry['id']}/", f"/entries/{MISSING}/"),
        (f"/documents/{document}/download/", f"/documents/{MISSING}/download/"),
        (f"/rooms/{active.room('counsel_a').pk}/", f"/rooms/{MISSING}/"),
        (f"/rooms/{active.room('counsel_a').pk}/entries/?after=0", f"/rooms/{MISSING}/entries/"),
    ):
        got = web.get(f"{case_path(active)}{forbidden}")
        gone = web.get(f"{case_path(active)}{missing}")
        assert got.status_code == gone.status_code == 404, forbidden
        assert page(got.content) == page(gone.content), forbidden
        assert b"between us" not in got.content


def test_r4_3_a_refused_share_explains_itself_without_quoting_the_entry(active: ActiveCast) -> None:
    entry = post(active, active.alice, "caucus_a", SECRET, instruction="do_not_disclose")
    status, body = Api(active.maya).post(
        f"{case_path(active)}/entries/{entry['id']}/share",
        {"target_room": active.room("joint").pk},
    )
    assert (status, body["code"]) == (409, "disclosure_refused")
    for fragment in ("7,314", "walk-away", "boat"):
        assert fragment not in json.dumps(body)
    _, joint = Api(active.bob).get(f"{case_path(active)}/rooms/{active.room('joint').pk}/entries")
    assert SECRET not in json.dumps(joint)


# --- People who may see no content: the operator, outsiders, the unsigned (R1.3, R2.3) ------


def test_r1_3_the_operator_gets_the_same_404_as_for_a_missing_case_on_every_read_path(
    active: ActiveCast,
) -> None:
    post(active, active.alice, "caucus_a", SECRET)
    operator = User.objects.create_user(
        "ops@example.com", PASSWORD, full_name="Otto Operator", is_staff=True
    )
    api = Api(operator)
    assert api.get("/cases") == (200, [])
    for tail in (
        "",
        "/audit",
        "/audit/verify",
        "/export",
        "/report",
        "/invitations",
        "/agreement",
        f"/rooms/{active.room('caucus_a').pk}/entries",
        "/negotiation",
        "/negotiation/ratings",
    ):
        got = api.client.get(f"/api/v1/cases/{active.case.pk}{tail}")
        gone = api.client.get(f"/api/v1/cases/{MISSING}{tail}")
        assert (got.status_code, got.content) == (gone.status_code, gone.content), tail
        assert got.status_code == 404, tail
    assert api.post(f"/cases/{active.case.pk}/exports") == (404, NOT_FOUND)
    with pytest.raises(NotFound):
        export_for(operator, active.case.pk)
    web = Client()
    web.force_login(operator)
    got = web.get(f"/cases/{active.case.pk}/rooms/{active.room('caucus_a').pk}/")
    gone = web.get(f"/cases/{MISSING}/rooms/{active.room('caucus_a').pk}/")
    assert (got.status_code, page(got.content)) == (404, page(gone.content))


def test_r2_3_an_unsigned_support_person_sees_no_content_on_any_read_path(
    active: ActiveCast,
) -> None:
    bob_entry = post(active, active.bob, "caucus_b", SECRET)
    post(active, active.maya, "joint", "Welcome, everyone: the figure on the table is 7,314.")
    set_items(active)
    Api(active.bob).put(f"{base(active)}/ratings", {"points": [50, 30, 20]})
    dana = add_unsigned_support(active)
    api = Api(dana)
    status, case = api.get(case_path(active))
    assert status == 200 and case["signed"] is False and case["rooms"] == []
    for room in active.rooms.values():
        assert api.get(f"{case_path(active)}/rooms/{room.pk}/entries") == (404, NOT_FOUND)
    assert api.get(f"{case_path(active)}/entries/{bob_entry['id']}") == (404, NOT_FOUND)
    status, overview = api.get(base(active))
    assert status == 200
    assert overview["ratings"] == [] and overview["offers"] == []
    assert overview["issues"] is None and overview["settlement"] is None
    assert api.get(f"{base(active)}/bidding") == (404, NOT_FOUND)
    status, export = api.get(f"{case_path(active)}/export")
    assert status == 200 and export["rooms"] == []
    assert export["agreement"]["text"] is None
    everything = json.dumps([case, overview, export])
    for fragment in ("7,314", "walk-away", "Speedboat", "Chalet"):
        assert fragment not in everything
    web = Client()
    web.force_login(dana)
    page = web.get(f"{case_path(active)}/rooms/{active.room('joint').pk}/")
    assert page.status_code == 404
    assert web.get(f"{case_path(active)}/negotiate/").status_code == 404


# --- The notebook and the counsel room (R3.3, R3.4) ----------------------------------------


def test_r3_4_the_notebook_is_never_exported_reported_or_shown_to_anyone_else(
    active: ActiveCast,
) -> None:
    note = post(active, active.maya, "notebook", "Private: Alice will fold at 7,314.")
    for user in (active.alice, active.bob, active.carol):
        assert Api(user).get(f"{case_path(active)}/entries/{note['id']}") == (404, NOT_FOUND)
    for user in (active.maya, active.alice, active.bob, active.carol):
        for tail in ("/export", "/report", "/audit"):
            status, body = Api(user).get(f"{case_path(active)}{tail}")
            # The report is the mediator's (it lists caucus sessions); others get a refusal.
            assert status == (403 if tail == "/report" and user != active.maya else 200)
            assert "fold at" not in json.dumps(body), (user, tail)
    status, export = Api(active.maya).get(f"{case_path(active)}/export")
    assert "notebook" not in [r["kind"] for r in export["rooms"]]


def test_r5_4_the_report_holds_only_its_fixed_fields_and_is_the_mediators(
    active: ActiveCast,
) -> None:
    post(active, active.alice, "caucus_a", SECRET)
    Api(active.alice).post(f"{case_path(active)}/terminate", {"statement": "Statement: 7,314"})
    status, report = Api(active.maya).get(f"{case_path(active)}/report")
    assert status == 200
    assert Api(active.bob).get(f"{case_path(active)}/report")[0] == 403
    assert set(report) == {
        "case_reference",
        "mediation_took_place",
        "terminated",
        "terminated_on",
        "settlement_reached",
        "sessions",
        "sha256",
    }
    assert "7,314" not in json.dumps(report)
    assert "Alice" not in json.dumps(report)  # who ended it is not a §7 field


# --- Termination (R7.1) --------------------------------------------------------------------


def test_r7_1_a_partys_declaration_and_statement_reach_the_mediator_and_no_other_side(
    active: ActiveCast,
) -> None:
    status, _ = Api(active.alice).post(
        f"{case_path(active)}/terminate", {"statement": "I found a better deal: 7,314."}
    )
    assert status == 200
    _, for_bob = Api(active.bob).get(case_path(active))
    assert for_bob["status"] == "terminated" and for_bob["terminated_by"] is None
    assert Api(active.maya).get(case_path(active))[1]["terminated_by"] == "Alice Alvarez"
    for room in ("joint", "caucus_b"):
        _, rows = Api(active.bob).get(f"{case_path(active)}/rooms/{active.room(room).pk}/entries")
        assert "7,314" not in json.dumps(rows) and "Alice" not in json.dumps(rows)
    _, rows = Api(active.maya).get(
        f"{case_path(active)}/rooms/{active.room('caucus_a').pk}/entries"
    )
    assert "7,314" in rows[-1]["body"]


def test_r4_3_a_partys_termination_statement_cannot_be_shared_without_their_leave(
    cast: Cast,
) -> None:
    active = build_case(
        cast, policy=replace(AgreementPolicy(), caucus_default=Instruction.DO_NOT_DISCLOSE)
    )
    Api(active.alice).post(
        f"{case_path(active)}/terminate", {"statement": "I found a better deal: 7,314."}
    )
    _, rows = Api(active.maya).get(
        f"{case_path(active)}/rooms/{active.room('caucus_a').pk}/entries"
    )
    status, _ = Api(active.maya).post(
        f"{case_path(active)}/entries/{rows[-1]['id']}/share",
        {"target_room": active.room("joint").pk},
    )
    assert status != 201
    _, joint = Api(active.bob).get(f"{case_path(active)}/rooms/{active.room('joint').pk}/entries")
    assert "7,314" not in json.dumps(joint)


# --- Offers (R8.1, R8.2) -------------------------------------------------------------------


def test_r4_3_a_counter_offer_given_in_caucus_tells_the_offering_side_nothing(
    active: ActiveCast,
) -> None:
    alice_side, bob_side = side_ids(active)
    terms = {"kind": "sum", "payer": bob_side, "payee": alice_side}
    status, made = Api(active.alice).post(
        f"{base(active)}/offers", {"room": active.room("joint").pk, "amount": "9000", **terms}
    )
    assert status == 201
    before = Api(active.alice).get(f"{base(active)}/offers/{made['id']}")
    Api(active.bob).post(
        f"{base(active)}/offers/{made['id']}/counter",
        {
            "room": active.room("caucus_b").pk,
            "amount": "7314",
            "instruction": "do_not_disclose",
            **terms,
        },
    )
    after = Api(active.alice).get(f"{base(active)}/offers/{made['id']}")
    assert after == before


# --- The WebSocket (R3.2, R3.3, R2.3) ------------------------------------------------------


async def _socket(user: User, case_id: int) -> tuple[WebsocketCommunicator, bool]:
    comm, connected, _ = await open_socket(user, case_id)
    return comm, connected


async def _drain(comm: WebsocketCommunicator) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    while not await comm.receive_nothing(timeout=0.3):
        events.append(await comm.receive_json_from())
    return events


def _live_case() -> tuple[ActiveCast, User, User]:
    cast = build_case(make_cast(), stage="active")
    dana = add_unsigned_support(cast)
    operator = User.objects.create_user(
        "ops@example.com", PASSWORD, full_name="Otto Operator", is_staff=True
    )
    return cast, dana, operator


@pytest.mark.django_db(transaction=True)
async def test_r3_2_r3_3_r2_3_socket_events_reach_exactly_the_rooms_signed_members() -> None:
    cast, dana, operator = await sync_to_async(_live_case)()
    case_id = cast.case.pk
    _, refused = await _socket(operator, case_id)
    assert not refused
    names = ("maya", "alice", "bob", "carol")
    socks = {}
    for name in names:
        comm, connected = await _socket(getattr(cast, name), case_id)
        assert connected
        socks[name] = comm
    socks["dana"], connected = await _socket(dana, case_id)
    assert connected
    await asyncio.gather(*(_drain(c) for c in socks.values()))

    async def write(user: User, room: str, body: str) -> None:
        await sync_to_async(do_post_entry)(
            acting_user=user, case_id=case_id, room_id=cast.room(room).pk, body=body
        )

    await write(cast.alice, "caucus_a", "caucus: 7,314")
    await write(cast.carol, "counsel_a", "counsel: 7,315")
    await write(cast.maya, "notebook", "notebook: 7,316")
    await write(cast.bob, "caucus_b", "bob caucus: 7,317")
    await write(cast.maya, "joint", "joint: 7,318")
    got = {name: await _drain(comm) for name, comm in socks.items()}
    bodies = {
        name: sorted(e["entry"]["body"] for e in events if e["type"] == "entry")
        for name, events in got.items()
    }
    assert bodies == {
        "maya": ["bob caucus: 7,317", "caucus: 7,314", "joint: 7,318", "notebook: 7,316"],
        "alice": ["caucus: 7,314", "counsel: 7,315", "joint: 7,318"],
        "carol": ["caucus: 7,314", "counsel: 7,315", "joint: 7,318"],
        "bob": ["bob caucus: 7,317", "joint: 7,318"],
        "dana": [],
    }
    assert "7,31" not in json.dumps(got["dana"])
    for comm in socks.values():
        await comm.disconnect()
