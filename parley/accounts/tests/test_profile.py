"""R11.1: a person's profile (name, time zone, language) and their signed-in sessions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.test import Client

from parley.accounts.models import ApiToken, User
from parley.testing import PASSWORD, Api, Cast, build_case, make_cast, open_socket


def signed_in(email: str, address: str = "127.0.0.1") -> Client:
    client = Client(REMOTE_ADDR=address, HTTP_USER_AGENT=f"Browser at {address}")
    assert client.post("/login/", {"login": email, "password": PASSWORD}).status_code == 302
    return client


def test_r11_1_a_person_sets_their_name_time_zone_and_language(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.alice)
    response = client.post(
        "/account/",
        {"full_name": "Alice  Álvarez", "time_zone": "Asia/Tokyo", "language": "en"},
    )
    assert response.status_code == 302
    alice = User.objects.get(pk=cast.alice.pk)
    assert (alice.full_name, alice.time_zone, alice.language) == (
        "Alice Álvarez",
        "Asia/Tokyo",
        "en",
    )
    # Times on pages are shown in the person's zone (a token's expiry, here).
    token, _ = ApiToken.issue(alice, "t")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=datetime(2027, 1, 1, 20, 30, tzinfo=UTC))
    assert "Sat 2 Jan 2027, 05:30 (Asia/Tokyo)" in client.get("/account/tokens/").content.decode()


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("time_zone", "Mars/Olympus", "bad_time_zone"),
        ("language", "tlh", "bad_language"),
        ("full_name", "   ", "empty_name"),
    ],
)
def test_r11_1_a_bad_profile_value_is_refused_with_a_reason(
    cast: Cast, field: str, value: str, code: str
) -> None:
    payload = {"full_name": "Alice", "time_zone": "Europe/Berlin", "language": "en-gb"}
    status, body = Api(cast.alice).patch("/me", {**payload, field: value})
    assert (status, body["code"]) == (422, code)
    page = Client()
    page.force_login(cast.alice)
    assert page.post("/account/", {**payload, field: value}).status_code == 422
    assert User.objects.get(pk=cast.alice.pk).time_zone == "UTC"


def test_r11_1_the_profile_api_changes_only_the_callers_own_account(cast: Cast) -> None:
    payload = {"full_name": "Bob B.", "time_zone": "America/Chicago", "language": "en"}
    status, me = Api(cast.bob).patch("/me", payload)
    assert (status, me["time_zone"], me["email"]) == (200, "America/Chicago", "bob@example.com")
    assert User.objects.get(pk=cast.alice.pk).time_zone == "UTC"
    assert Api(None).patch("/me", payload)[0] == 401


def test_r11_1_the_sessions_page_lists_where_a_person_is_signed_in(cast: Cast) -> None:
    laptop = signed_in("alice@example.com")
    signed_in("alice@example.com", "192.0.2.10")
    signed_in("bob@example.com", "198.51.100.5")
    page = laptop.get("/accounts/sessions/").content.decode()
    assert "192.0.2.10" in page
    assert "198.51.100.5" not in page  # Bob's sessions are Bob's


def test_r11_1_signing_out_everywhere_ends_every_session(cast: Cast) -> None:
    laptop = signed_in("alice@example.com")
    phone = signed_in("alice@example.com", "192.0.2.10")
    bob = signed_in("bob@example.com")
    assert laptop.post("/account/sign-out-everywhere/").status_code == 302
    for client, expected in ((laptop, 401), (phone, 401), (bob, 200)):
        assert client.get("/api/v1/me").status_code == expected


@pytest.mark.django_db(transaction=True)
async def test_r11_1_signing_out_everywhere_closes_the_other_devices_sockets() -> None:
    live = await sync_to_async(lambda: build_case(make_cast(), stage="active"))()
    phone = await sync_to_async(signed_in)("alice@example.com", "192.0.2.10")
    laptop = await sync_to_async(signed_in)("alice@example.com")
    key = phone.cookies[settings.SESSION_COOKIE_NAME].value
    socket, connected, _ = await open_socket(None, live.case.pk, session_key=key)
    assert connected
    status = await sync_to_async(lambda: laptop.post("/account/sign-out-everywhere/").status_code)()
    assert status == 302
    while True:
        output = await socket.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            assert output["code"] == 4401
            break
