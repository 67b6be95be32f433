"""The published API description (OpenAPI at /api/v1/docs) matches what the API answers: each
schema name stands for one shape, so a client generated from it reads real answers."""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs
from ninja import Schema

from parley.api import api
from parley.testing import ActiveCast, Api


def parley_schemas(cls: type = Schema) -> list[type]:
    found: list[type] = []
    subclasses: list[type] = type.__subclasses__(cls)
    for sub in subclasses:
        if sub.__module__.startswith("parley."):
            found.append(sub)
        found.extend(parley_schemas(sub))
    return found


def test_no_two_api_schemas_share_a_name() -> None:
    api.get_openapi_schema()  # imports every router's module
    by_name: dict[str, set[str]] = {}
    for cls in parley_schemas():
        by_name.setdefault(cls.__name__, set()).add(cls.__module__)
    assert {n: m for n, m in by_name.items() if len(m) > 1} == {}


def documented(path: str, method: str, status: str) -> dict[str, Any]:
    spec = json.loads(json.dumps(api.get_openapi_schema()))  # as a client reads it
    node = spec["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    return {**node, "components": spec["components"]}


def test_a_case_as_its_participants_read_it_matches_its_published_schema(
    active: ActiveCast,
) -> None:
    case_id = active.case.pk
    schema = documented("/api/v1/cases/{case_id}", "get", "200")
    for user in (active.maya, active.alice, active.bob):
        status, body = Api(user).get(f"/cases/{case_id}")
        assert status == 200, body
        jsonschema_rs.validate(schema, body)
    status, body = Api(active.alice).post(f"/cases/{case_id}/terminate", {"statement": ""})
    assert status == 200, body
    jsonschema_rs.validate(documented("/api/v1/cases/{case_id}/terminate", "post", "200"), body)
