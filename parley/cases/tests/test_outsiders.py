"""R3.6 across the whole API: for an outsider, and for the other side on one side's things,
every endpoint answers exactly as it does for something that does not exist.

The endpoints are read from the OpenAPI schema, so a new endpoint is covered the day it lands.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from parley.api import api
from parley.rooms.actions import do_post_entry
from parley.testing import ActiveCast

MISSING = 999_999


def schema() -> dict[str, Any]:
    return dict(api.get_openapi_schema())


def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].split("/")[-1]
        node = spec["components"]["schemas"][name]
    return node


def example(spec: dict[str, Any], node: dict[str, Any]) -> Any:
    """A small valid value for a JSON schema node, so validation passes and access is tested."""
    node = resolve(spec, node)
    if "anyOf" in node:
        options = [o for o in node["anyOf"] if o.get("type") != "null"]
        return example(spec, options[0]) if options else None
    if "allOf" in node:
        return example(spec, node["allOf"][0])
    if "enum" in node:
        return node["enum"][0]
    kind = node.get("type")
    if kind == "object":
        props = node.get("properties", {})
        return {
            k: ("x@example.com" if k == "email" else example(spec, v))
            for k, v in props.items()
            if k in node.get("required", [])
        }
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, int(node.get("minimum", 1)))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if node.get("format") == "date":
        return "2026-11-20"
    if node.get("format") == "date-time":
        return "2026-11-20T10:00:00Z"
    return "x"


def endpoints() -> list[tuple[str, str, dict[str, Any]]]:
    spec = schema()
    found = []
    for path, methods in spec["paths"].items():
        if "{case_id}" not in path:
            continue
        for method, operation in methods.items():
            body = None
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body = example(spec, content["application/json"]["schema"])
            found.append(
                (method, path, {"body": body, "multipart": "multipart/form-data" in content})
            )
    return found


def call(client: Client, method: str, path: str, body: Any) -> tuple[int, bytes]:
    if method == "get":
        response = client.get(path)
    else:
        response = getattr(client, method)(
            path, data=json.dumps(body or {}), content_type="application/json"
        )
    return response.status_code, response.content


def fill(path: str, ids: dict[str, int]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), MISSING)), path)


ENDPOINTS = endpoints()
SIDE_SPECIFIC = [e for e in ENDPOINTS if "{entry_id}" in e[1] or "{room_id}" in e[1]]


def test_the_api_has_case_endpoints_to_check() -> None:
    assert len(ENDPOINTS) >= 15


@pytest.mark.parametrize(
    ("method", "path", "extra"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in ENDPOINTS]
)
def test_r3_6_an_outsider_cannot_tell_a_case_exists(
    active: ActiveCast, method: str, path: str, extra: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(active.olga)
    real = fill(path, {"case_id": active.case.pk})
    missing = fill(path, {"case_id": MISSING})
    assert call(client, method, real, extra["body"]) == call(client, method, missing, extra["body"])
    status, _ = call(client, method, real, extra["body"])
    # 422 only where input is checked before access: the same for a missing case, so it leaks
    # nothing.
    assert status in (404, 422)


@pytest.mark.parametrize(
    ("method", "path", "extra"), SIDE_SPECIFIC, ids=[f"{m} {p}" for m, p, _ in SIDE_SPECIFIC]
)
def test_r3_6_the_other_side_cannot_tell_a_caucus_entry_exists(
    active: ActiveCast, method: str, path: str, extra: dict[str, Any]
) -> None:
    entry = do_post_entry(
        acting_user=active.alice,
        case_id=active.case.pk,
        room_id=active.room("caucus_a").pk,
        body="Alice's private words",
    )
    client = Client()
    client.force_login(active.bob)
    ids = {"case_id": active.case.pk, "entry_id": entry.pk, "room_id": active.room("caucus_a").pk}
    gone = {"case_id": active.case.pk}
    real = call(client, method, fill(path, ids), extra["body"])
    missing = call(client, method, fill(path, gone), extra["body"])
    assert real == missing
    assert b"private words" not in real[1]
