"""R11.1: API tokens have a name, a scope (read-only or full) and an expiry (90 days by
default), show when they were last used, can be revoked, and cannot mint tokens. A revoked or
expired token gets 401 on every endpoint, a read-only one 403 on every write: both driven from
the OpenAPI schema, so a new endpoint is covered the day it lands."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from parley.accounts.models import ApiToken
from parley.cases.tests.test_outsiders import MISSING, call, example, fill, schema
from parley.testing import ActiveCast, Api, Cast


def all_endpoints() -> list[tuple[str, str, Any]]:
    spec = schema()
    found = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            if not operation.get("security"):
                continue  # public: the invitation preview
            content = operation.get("requestBody", {}).get("content", {})
            body = None
            if "application/json" in content:
                body = example(spec, content["application/json"]["schema"])
            found.append((method, path, body))
    return found


ENDPOINTS = all_endpoints()
WRITES = [e for e in ENDPOINTS if e[0] not in ("get", "head", "options")]


def bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def new_token(c: Cast, **fields: Any) -> tuple[int, str]:
    status, body = Api(c.alice).post("/tokens", {"name": "my script", **fields})
    assert status == 201, body
    return int(body["id"]), str(body["token"])


def ids_for(active: ActiveCast) -> dict[str, int]:
    return {"case_id": active.case.pk, "room_id": active.room("joint").pk}


def test_the_schema_has_endpoints_to_check() -> None:
    assert len(ENDPOINTS) >= 40
    assert len(WRITES) >= 20


def test_r11_1_a_token_has_a_name_scope_expiry_and_last_use(active: ActiveCast) -> None:
    before = timezone.now()
    token_id, raw = new_token(active, scope="read")
    listed = Api(active.alice).get("/tokens")[1]
    assert [(t["id"], t["name"], t["scope"], t["last_used_at"]) for t in listed] == [
        (token_id, "my script", "read", None)
    ]
    token = ApiToken.objects.get(pk=token_id)
    assert timedelta(days=89) < token.expires_at - before <= timedelta(days=90, minutes=1)
    assert bearer(raw).get("/api/v1/me").status_code == 200
    assert Api(active.alice).get("/tokens")[1][0]["last_used_at"] is not None
    assert "token" not in Api(active.alice).get("/tokens")[1][0]  # shown only once


def test_r11_1_a_token_cannot_create_list_or_revoke_tokens(active: ActiveCast) -> None:
    token_id, raw = new_token(active)
    client = bearer(raw)
    response = client.post("/api/v1/tokens", {"name": "more"}, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (403, "token_not_allowed")
    assert client.get("/api/v1/tokens").status_code == 403
    assert client.delete(f"/api/v1/tokens/{token_id}").status_code == 403
    assert ApiToken.objects.filter(user=active.alice).count() == 1


def test_r11_1_a_revoked_token_stops_at_once_and_only_its_owner_can_revoke_it(
    active: ActiveCast,
) -> None:
    token_id, raw = new_token(active)
    # Bob cannot tell Alice's token exists.
    assert Api(active.bob).delete(f"/tokens/{token_id}") == Api(active.bob).delete(
        f"/tokens/{MISSING}"
    )
    assert Api(active.bob).delete(f"/tokens/{token_id}")[0] == 404
    bob_page = Client()
    bob_page.force_login(active.bob)
    assert bob_page.post(f"/account/tokens/{token_id}/revoke/").status_code == 404
    assert Api(None).delete(f"/tokens/{token_id}")[0] == 401
    assert bearer(raw).get("/api/v1/me").status_code == 200
    assert Api(active.alice).delete(f"/tokens/{token_id}")[0] == 204
    assert bearer(raw).get("/api/v1/me").status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "body"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in ENDPOINTS]
)
def test_r11_1_a_revoked_or_expired_token_gets_401_everywhere(
    active: ActiveCast, method: str, path: str, body: Any
) -> None:
    _, revoked = new_token(active)
    ApiToken.objects.filter(user=active.alice).update(revoked_at=timezone.now())
    _, expiring = new_token(active, days=1)
    url = fill(path, ids_for(active))
    status, content = call(bearer(revoked), method, url, body)
    assert status == 401, content
    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
        status, content = call(bearer(expiring), method, url, body)
    assert status == 401, content


@pytest.mark.parametrize(("method", "path", "body"), WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES])
def test_r11_1_a_read_only_token_gets_403_on_every_write(
    active: ActiveCast, method: str, path: str, body: Any
) -> None:
    _, raw = new_token(active, scope="read")
    before = ApiToken.objects.count()
    status, content = call(bearer(raw), method, fill(path, ids_for(active)), body)
    assert status == 403, content
    assert ApiToken.objects.count() == before


def test_r11_1_a_read_only_token_still_reads(active: ActiveCast) -> None:
    _, raw = new_token(active, scope="read")
    client = bearer(raw)
    assert client.get(f"/api/v1/cases/{active.case.pk}").status_code == 200
    joint = active.room("joint").pk
    assert client.get(f"/api/v1/cases/{active.case.pk}/rooms/{joint}/entries").status_code == 200


def test_r11_1_the_tokens_page_creates_lists_and_revokes(active: ActiveCast) -> None:
    client = Client()
    client.force_login(active.alice)
    response = client.post("/account/tokens/", {"name": "backup", "scope": "read", "days": 30})
    assert response.status_code == 200
    raw = response.context["created"]["raw"]
    assert raw in response.content.decode()
    assert "Read only" in response.content.decode()
    assert bearer(raw).get("/api/v1/me").status_code == 200
    token = ApiToken.objects.get(user=active.alice)
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    page = client.get("/account/tokens/").content.decode()
    assert raw not in page
    assert "revoked" in page
    assert bearer(raw).get("/api/v1/me").status_code == 401
    # Bad input is refused with a reason.
    response = client.post("/account/tokens/", {"name": "x", "scope": "read", "days": 999})
    assert response.status_code == 422


def test_r11_1_outsiders_get_no_token_pages(db: None) -> None:
    for path in ("/account/", "/account/tokens/"):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
