"""R11.5: every answer is `no-store` and carries the strict CSP; every API refusal is JSON
`{code, detail}` (404, 405, 413 and 500 included)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from pytest_django.fixtures import Settings

from parley.testing import ActiveCast

CSP_MUST_HAVE = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
)


def routes() -> Iterator[str]:
    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> Iterator[str]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern)

    yield from dict.fromkeys(walk(get_resolver().url_patterns, ""))


ROUTES = list(routes())


def fill(route: str, cast: ActiveCast) -> str:
    """The route with the active case's id, the joint room's id, and a number that names
    nothing for every other id (so sub-resources answer their 404)."""
    path = route.replace("<int:case_id>", str(cast.case.pk)).replace("<case_id>", str(cast.case.pk))
    path = re.sub(r"<(int:)?room_id>", str(cast.room("joint").pk), path)
    path = path.replace("<str:fmt>", "json").replace("<slug:name>", "nothing")
    path = re.sub(r"<str:token>", "not-a-token", path)
    return "/" + re.sub(r"<(int:|str:|slug:)?\w+>", "987654", path)


def assert_headers(response: object, path: str) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert "no-store" in headers.get("Cache-Control", ""), path
    assert all(part in headers["Content-Security-Policy"] for part in CSP_MUST_HAVE), path
    assert "camera=()" in headers["Permissions-Policy"], path
    assert headers["Referrer-Policy"] == "same-origin", path


def assert_json_refusal(response: object, path: str) -> None:
    status = response.status_code  # type: ignore[attr-defined]
    if not path.startswith("/api/") or status < 400:
        return
    assert response["Content-Type"].startswith("application/json"), (path, status)  # type: ignore[index]
    body = json.loads(response.content)  # type: ignore[attr-defined]
    assert set(body) == {"code", "detail"}, (path, body)


@pytest.mark.parametrize("who", ["maya", "alice", "olga", None])
def test_r11_5_every_url_pattern_is_no_store_with_csp_and_json_refusals(
    active: ActiveCast, who: str | None
) -> None:
    client = Client()
    if who is not None:
        client.force_login(getattr(active, who))
    assert len(ROUTES) > 60
    for route in ROUTES:
        path = fill(route, active)
        for method in ("get", "delete"):
            response = getattr(client, method)(path)
            assert_headers(response, path)
            assert_json_refusal(response, path)


def test_r11_5_api_unknown_address_is_json_404(active: ActiveCast) -> None:
    client = Client()
    client.force_login(active.alice)
    response = client.get("/api/v1/no/such/thing")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_r11_5_api_wrong_method_is_json_405_with_allow(active: ActiveCast) -> None:
    client = Client()
    client.force_login(active.alice)
    response = client.put("/api/v1/cases")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_r11_5_api_body_over_the_limit_is_json_413(active: ActiveCast, settings: Settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = Client()
    client.force_login(active.alice)
    body = json.dumps({"title": "x" * 5000})
    response = client.post("/api/v1/cases", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_r11_5_api_server_error_is_json_500(
    active: ActiveCast, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("parley.cases.api.the_user", broken)
    client = Client(raise_request_exception=False)
    client.force_login(active.alice)
    response = client.get("/api/v1/cases")
    assert response.status_code == 500
    assert response.json() == {
        "code": "server_error",
        "detail": "Something went wrong. The error was logged.",
    }
    assert "no-store" in response["Cache-Control"]


def test_r11_5_pages_are_no_store_and_under_the_csp(active: ActiveCast) -> None:
    client = Client()
    client.force_login(active.alice)
    response = client.get(f"/cases/{active.case.pk}/rooms/{active.room('joint').pk}/")
    assert response.status_code == 200
    assert_headers(response, "room")
    assert b"<script>" not in response.content and b"<style" not in response.content
    assert b" style=" not in response.content


def test_r11_5_api_docs_are_served_from_our_own_static_files(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert client.get("/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js").status_code == 200


def test_r11_5_https_settings_redirect_and_send_hsts(settings: Settings, db: None) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    client = Client()
    plain = client.get("/login/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200  # the probe stays on plain HTTP
    secure = client.get("/login/", secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
