"""/healthz, /readyz, and the 503 a database outage gets instead of a 500 page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client

from parley.ops.health import is_database_outage

PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
out = {}
for name, path, headers in (
    ("healthz", "/healthz", {}),
    ("readyz", "/readyz", {}),
    ("api", "/api/v1/me", {"HTTP_AUTHORIZATION": "Bearer pk_not_a_real_token"}),
):
    response = client.get(path, **headers)
    out[name] = [response.status_code, response.headers.get("Content-Type"), response.content.decode()]
print(json.dumps(out))
"""


def probe(tmp_path: Path, **env: str) -> dict[str, Any]:
    """Run a fresh Parley process against the given (unreachable) services and ask it."""
    environment = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="parley.settings", PARLEY_DATA_DIR=str(tmp_path), **env
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    last_line = result.stdout.strip().splitlines()[-1]
    data: dict[str, Any] = json.loads(last_line)
    return data


def test_healthz_says_the_process_is_up(client: Client) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.django_db
def test_readyz_is_ok_when_the_database_and_the_channel_layer_answer(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "channel_layer": "ok"}


def test_with_the_database_down_readyz_is_unavailable_and_the_api_answers_a_clear_503(
    tmp_path: Path,
) -> None:
    # A PostgreSQL server that refuses connections: nothing listens on port 1.
    out = probe(tmp_path, DATABASE_URL="postgresql://postgres@127.0.0.1:1/parley_down")
    assert out["healthz"][0] == 200
    status, _, body = out["readyz"]
    assert status == 503
    assert json.loads(body) == {"status": "unavailable", "database": "down", "channel_layer": "ok"}
    status, content_type, body = out["api"]
    assert (status, content_type) == (503, "application/json")
    assert json.loads(body)["code"] == "unavailable"


def test_with_redis_down_readyz_is_unavailable(tmp_path: Path) -> None:
    out = probe(tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
    status, _, body = out["readyz"]
    assert status == 503
    assert json.loads(body) == {"status": "unavailable", "database": "ok", "channel_layer": "down"}


@pytest.mark.django_db
def test_only_outages_count_as_outages_not_bugs() -> None:
    assert is_database_outage(OperationalError("database is locked"))
    assert not is_database_outage(ValueError("database is locked"))
    if connection.vendor == "sqlite":
        # A missing table is a bug or a missed migration: it must stay a 500.
        assert not is_database_outage(OperationalError("no such table: rooms_entry"))
