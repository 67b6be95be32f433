"""Every negotiation endpoint refuses an outsider exactly like a missing case (R3.6)."""

from __future__ import annotations

import pytest

from parley.negotiation.tests.helpers import base
from parley.testing import ActiveCast, Api

NOT_FOUND = {"code": "not_found", "detail": "Not found."}

ENDPOINTS = [
    ("get", "", None),
    ("get", "/offers", None),
    ("get", "/offers/1", None),
    ("post", "/offers", {"room": 1, "kind": "sum", "amount": "1", "payer": 1, "payee": 2}),
    ("post", "/offers/1/counter", {"room": 1, "kind": "sum", "amount": "1"}),
    ("post", "/offers/1/accept", None),
    ("post", "/offers/1/reject", None),
    ("post", "/offers/1/withdraw", None),
    ("get", "/bidding", None),
    ("post", "/bidding", {"payer": 1, "claimant": 2}),
    ("post", "/bidding/bids", {"amount": "100"}),
    ("put", "/issues", {"kind": "items", "issues": [{"title": "Car"}]}),
    ("get", "/ratings", None),
    ("put", "/ratings", {"points": [100]}),
    ("post", "/suggest", {"method": "nash"}),
    ("get", "/suggest/1", None),
    ("post", "/proposals", {"package": [0]}),
    ("get", "/settlement", None),
    ("post", "/settlement", {"offer": 1}),
    ("put", "/settlement", {"text": "x"}),
    ("post", "/settlement/sign", {"typed_name": "Olga Outsider", "consent": True, "sha256": "x"}),
    ("get", "/settlement/pdf", None),
]


@pytest.mark.parametrize(("method", "tail", "data"), ENDPOINTS)
def test_r3_6_an_outsider_gets_the_same_404_as_for_a_missing_case(
    active: ActiveCast, method: str, tail: str, data: object
) -> None:
    olga = Api(active.olga)
    path = f"{base(active)}{tail}"
    if method == "get":
        response = olga.client.get(f"/api/v1{path}")
        status, body = response.status_code, response.json()
    else:
        status, body = getattr(olga, method)(path, data)
    assert (status, body) == (404, NOT_FOUND)
    missing = path.replace(f"/cases/{active.case.pk}/", "/cases/999999/")
    if method == "get":
        response = Api(active.maya).client.get(f"/api/v1{missing}")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    else:
        assert getattr(Api(active.maya), method)(missing, data) == (404, NOT_FOUND)


def test_the_api_documents_every_negotiation_endpoint(active: ActiveCast) -> None:
    response = Api(active.maya).client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = [p for p in response.json()["paths"] if "/negotiation" in p]
    assert len(paths) == 17
