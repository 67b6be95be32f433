"""R11.1/R11.2: mediators join without shell access: they sign up, verify their address from
the mail, and are approved by the operator (PARLEY_MEDIATOR_SIGNUP=approval, the default),
or not (open), or cannot sign up at all (closed). Sign-up tells no one whether an address
already has an account."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.test import Client
from pytest_django.fixtures import Settings

from parley.accounts.models import AccountEvent, AccountEventKind, User
from parley.testing import Cast

PASSWORD = "mediating since 2009"


def sign_up(email: str, name: str = "Nadia Neutral", password: str = PASSWORD) -> Any:
    return Client().post(
        "/accounts/signup/",
        {"full_name": name, "email": email, "password1": password, "password2": password},
    )


def confirm_link(to: str) -> str:
    message = [m for m in mail.outbox if m.to == [to]][-1]
    found = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", str(message.body))
    assert found, message.body
    return found.group(1)


def signs_in(email: str, password: str = PASSWORD) -> Client | None:
    client = Client()
    client.post("/login/", {"login": email, "password": password})
    return client if client.get("/api/v1/me").status_code == 200 else None


def test_r11_1_a_mediator_signs_up_verifies_and_is_approved_by_the_operator(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    operator = Client()
    operator.force_login(User.objects.create_user("ops@example.com", "x" * 20, is_staff=True))
    response = sign_up("nadia@example.com")
    assert (response.status_code, response["Location"]) == (302, "/accounts/confirm-email/")
    nadia = User.objects.get(email="nadia@example.com")
    assert (nadia.full_name, nadia.can_mediate, nadia.mediator_application) == (
        "Nadia Neutral",
        False,
        "pending",
    )
    assert signs_in("nadia@example.com") is None  # not before the address is verified
    assert Client().post(confirm_link("nadia@example.com")).status_code == 302
    client = signs_in("nadia@example.com")
    assert client is not None
    assert "waiting for the operator" in client.get("/").content.decode()
    # Not a mediator yet: no new case.
    assert (
        client.post("/api/v1/cases", {"title": "T"}, content_type="application/json").status_code
        == 403
    )
    page = operator.get("/operator/").content.decode()
    assert "nadia@example.com" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert operator.post(f"/operator/accounts/{nadia.pk}/approve/").status_code == 302
    nadia.refresh_from_db()
    assert (nadia.can_mediate, nadia.mediator_application) == (True, "")
    assert AccountEvent.objects.filter(
        user=nadia, kind=AccountEventKind.MEDIATOR_APPROVED, actor__email="ops@example.com"
    ).exists()
    assert "approved" in str(mail.outbox[-1].body)
    assert (
        client.post("/api/v1/cases", {"title": "T"}, content_type="application/json").status_code
        == 201
    )


def test_r11_1_the_operator_cannot_approve_an_unverified_address(cast: Cast) -> None:
    operator = User.objects.create_user("ops@example.com", "x" * 20, is_staff=True)
    sign_up("nadia@example.com")
    nadia = User.objects.get(email="nadia@example.com")
    client = Client()
    client.force_login(operator)
    client.post(f"/operator/accounts/{nadia.pk}/approve/")
    nadia.refresh_from_db()
    assert not nadia.can_mediate


def test_r11_1_open_sign_up_needs_only_the_verified_address(db: None, settings: Settings) -> None:
    settings.PARLEY_MEDIATOR_SIGNUP = "open"
    sign_up("nadia@example.com")
    assert not User.objects.get(email="nadia@example.com").can_mediate
    Client().post(confirm_link("nadia@example.com"))
    assert User.objects.get(email="nadia@example.com").can_mediate
    event = AccountEvent.objects.get(user__email="nadia@example.com")
    assert (event.kind, event.actor) == (AccountEventKind.MEDIATOR_APPROVED, None)


def test_r11_1_closed_sign_up_makes_no_account(db: None, settings: Settings) -> None:
    settings.PARLEY_MEDIATOR_SIGNUP = "closed"
    assert "closed" in Client().get("/accounts/signup/").content.decode().lower()
    sign_up("nadia@example.com")
    assert not User.objects.filter(email="nadia@example.com").exists()


def test_r11_2_signing_up_with_a_taken_address_looks_the_same(cast: Cast) -> None:
    new = sign_up("nadia@example.com")
    taken = sign_up("alice@example.com")
    assert (new.status_code, new["Location"]) == (taken.status_code, taken["Location"])
    assert User.objects.filter(email="alice@example.com").count() == 1
    assert User.objects.get(email="alice@example.com").full_name == "Alice Alvarez"
    # The owner of the address is told by mail, not the person signing up.
    assert any(m.to == ["alice@example.com"] for m in mail.outbox)


def test_r11_1_sign_up_refuses_a_password_like_the_name_or_address(db: None) -> None:
    response = sign_up("nadia.neutral@example.com", password="nadia.neutral@example.com")
    assert response.status_code == 200
    assert "too similar" in response.content.decode()
    assert not User.objects.filter(email="nadia.neutral@example.com").exists()
