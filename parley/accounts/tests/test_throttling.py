"""R11.2: failed sign-ins are throttled per account and per client address, with a clear
message (429), logged without the password; no answer tells whether an address has an account."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from parley.testing import PASSWORD, Cast

WRONG = "Tr0ub4dor&3-wrong-guess"


def page_text(body: str, email: str) -> str:
    """The page without what differs by design: the address typed and the CSRF token."""
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", body.replace(email, "X"))


def sign_in(client: Client, email: str, password: str) -> tuple[int, str]:
    response = client.post("/login/", {"login": email, "password": password})
    return response.status_code, response.content.decode()


def test_r11_2_twenty_wrong_passwords_are_throttled_before_the_eleventh(
    cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False), caplog.at_level(logging.WARNING):
        answers = [sign_in(client, "alice@example.com", f"{WRONG}{n}") for n in range(20)]
        assert [status for status, _ in answers[:10]] == [200] * 10
        assert all("are not correct" in body for _, body in answers[:10])
        assert [status for status, _ in answers[10:]] == [429] * 10
        assert all("Too many failed login attempts" in body for _, body in answers[10:])
        # The right password is refused too while the window lasts.
        status, body = sign_in(client, "alice@example.com", PASSWORD)
        assert status == 429
        assert "Too many failed login attempts" in body
    window = timedelta(seconds=settings.PARLEY_SIGNIN_WINDOW_SECONDS)
    with time_machine.travel(start + window - timedelta(seconds=30), tick=False):
        assert sign_in(client, "alice@example.com", PASSWORD)[0] == 429
    with time_machine.travel(start + window + timedelta(seconds=1), tick=False):
        status, _ = sign_in(client, "alice@example.com", PASSWORD)
        assert status == 302
    failures = [r for r in caplog.records if r.name == "parley.accounts"]
    assert sum("sign-in failed for 'alice@example.com'" in r.getMessage() for r in failures) == 10
    assert sum("sign-in throttled" in r.getMessage() for r in failures) >= 10
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert WRONG not in logged
    assert PASSWORD not in logged


def test_r11_2_failures_are_also_throttled_per_client_address(cast: Cast) -> None:
    """Trying one password against many accounts from one address stops too."""
    client = Client()
    for n in range(settings.PARLEY_SIGNIN_FAILURES_PER_ADDRESS):
        assert sign_in(client, f"someone{n}@example.com", WRONG)[0] == 200
    assert sign_in(client, "bob@example.com", PASSWORD)[0] == 429
    # Another client address is not affected.
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert sign_in(other, "bob@example.com", PASSWORD)[0] == 302


def test_r11_2_throttling_one_account_leaves_the_others_alone(cast: Cast) -> None:
    attacker = Client(REMOTE_ADDR="198.51.100.1")
    for n in range(settings.PARLEY_SIGNIN_FAILURES_PER_ACCOUNT + 1):
        sign_in(attacker, "alice@example.com", f"{WRONG}{n}")
    assert sign_in(Client(), "bob@example.com", PASSWORD)[0] == 302


def test_r11_2_a_wrong_password_and_an_unknown_address_get_the_same_answer(cast: Cast) -> None:
    known = sign_in(Client(), "alice@example.com", WRONG)
    unknown = sign_in(Client(), "nobody-here@example.com", WRONG)
    assert known[0] == unknown[0] == 200
    assert page_text(known[1], "alice@example.com") == page_text(
        unknown[1], "nobody-here@example.com"
    )


def test_r11_2_guessing_api_tokens_is_throttled_per_address_with_a_429(cast: Cast) -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(settings.PARLEY_SIGNIN_FAILURES_PER_ADDRESS):
        response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer pk_guess{n}")
        assert response.status_code == 401
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer pk_guess-more")
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_attempts"
    assert "wait a few minutes" in response.json()["detail"]
