"""R1.3: the operator's pages and API show accounts and case metadata, never content; no one
else can open them (the same 404 as a page that does not exist)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parley.accounts.models import User
from parley.cases.demo import CAST, seed_demo
from parley.cases.tests.test_outsiders import example, schema
from parley.rooms.actions import do_post_entry
from parley.rooms.models import Entry, Room
from parley.rooms.policy import RoomKind
from parley.testing import PASSWORD, Api

NOTE = "Notebook: Bob seems ready to move on the cabinets"
OFFER_NOTE = "Offer note: includes the hinges Alice mentioned"
DOCUMENT_TEXT = b"Quote from Other Builder Ltd: 9,000 for the whole kitchen"
DOCUMENT_DESCRIPTION = "Competing quote, confidential"


def operator_paths() -> list[tuple[str, str, Any]]:
    spec = schema()
    found = []
    for path, methods in spec["paths"].items():
        if not path.startswith("/api/v1/operator"):
            continue
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            body = example(spec, content["application/json"]["schema"]) if content else None
            found.append((method, path, body))
    return found


OPERATOR_API = operator_paths()
PAGES = ["/operator/", "/operator/cases/"]


def unmasked(page: bytes) -> bytes:
    """Without the CSRF token, which is masked anew on every page."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="\w+"', b"", page)


def call(client: Client, method: str, path: str, body: Any) -> tuple[int, bytes]:
    if method == "get":
        response = client.get(path)
    else:
        response = getattr(client, method)(
            path, data=json.dumps(body or {}), content_type="application/json"
        )
    return response.status_code, response.content


@pytest.fixture
def demo(db: None) -> dict[str, Any]:
    """The demo mediation, plus a notebook note, an offer with a note and a document."""
    case, _, _ = seed_demo()
    users = {email.split("@")[0]: User.objects.get(email=email) for email, _, _ in CAST}
    notebook = Room.objects.get(case=case, kind=RoomKind.NOTEBOOK)
    do_post_entry(acting_user=users["maya"], case_id=case.pk, room_id=notebook.pk, body=NOTE)
    joint = Room.objects.get(case=case, kind=RoomKind.JOINT)
    alice_side = users["alice"].participations.get(case=case).side_id
    bob_side = users["bob"].participations.get(case=case).side_id
    status, offer = Api(users["alice"]).post(
        f"/cases/{case.pk}/negotiation/offers",
        {
            "room": joint.pk,
            "kind": "sum",
            "amount": "4500",
            "payer": bob_side,
            "payee": alice_side,
            "note": OFFER_NOTE,
        },
    )
    assert status == 201, offer
    alice = Client()
    alice.force_login(users["alice"])
    response = alice.post(
        f"/api/v1/cases/{case.pk}/documents",
        {
            "room": joint.pk,
            "provenance": "pre_existing",
            "description": DOCUMENT_DESCRIPTION,
            "file": SimpleUploadedFile("quote.txt", DOCUMENT_TEXT, content_type="text/plain"),
        },
    )
    assert response.status_code == 201, response.content
    operator = User.objects.create_user("ops@example.com", PASSWORD, is_staff=True)
    return {"case": case, "users": users, "operator": operator}


def content_of_the_demo(case_id: int) -> list[str]:
    texts = [e.body for e in Entry.objects.filter(case_id=case_id) if len(e.body) > 12]
    assert any("Between us" in t for t in texts)  # the caucus secret is among them
    return [*texts, NOTE, OFFER_NOTE, DOCUMENT_TEXT.decode(), DOCUMENT_DESCRIPTION, "quote.txt"]


def test_the_operator_api_has_endpoints_to_check() -> None:
    assert len(OPERATOR_API) >= 5


def test_r1_3_the_operator_sees_every_page_and_api_without_any_content(
    demo: dict[str, Any],
) -> None:
    client = Client()
    client.force_login(demo["operator"])
    secrets = content_of_the_demo(demo["case"].pk)
    seen = []
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        seen.append(response.content.decode())
    for method, path, _ in OPERATOR_API:
        if method == "get":
            response = client.get(path)
            assert response.status_code == 200, path
            seen.append(response.content.decode())
    everything = "\n".join(seen)
    # Metadata is there...
    assert demo["case"].title in everything
    assert "alice@demo.parley.test" in everything
    # ...and no content.
    for secret in secrets:
        assert secret not in everything, secret
        assert json.dumps(secret)[1:-1] not in everything, secret


@pytest.mark.parametrize("who", ["maya", "alice"])
def test_r1_3_no_one_else_opens_the_operator_pages(demo: dict[str, Any], who: str) -> None:
    client = Client()
    client.force_login(demo["users"][who])
    missing = client.get("/cases/999999/")  # the one 404 page
    for path in PAGES:
        response = client.get(path)
        assert (response.status_code, unmasked(response.content)) == (
            404,
            unmasked(missing.content),
        )
    target = demo["users"]["maya"].pk
    for method, path, body in OPERATOR_API:
        real = call(client, method, path.replace("{user_id}", str(target)), body)
        absent = call(client, method, path.replace("{user_id}", "999999"), body)
        assert real == absent
        assert real[0] == 404, path
    assert Client().get("/operator/").status_code == 302  # signed out: the sign-in page


def test_r1_3_the_operator_api_answers_404_to_tokens_of_non_operators(
    demo: dict[str, Any],
) -> None:
    status, created = Api(demo["users"]["alice"]).post("/tokens", {"name": "script"})
    assert status == 201
    client = Client(HTTP_AUTHORIZATION=f"Bearer {created['token']}")
    assert client.get("/api/v1/operator/accounts").status_code == 404
    assert client.get("/api/v1/operator/cases").status_code == 404
