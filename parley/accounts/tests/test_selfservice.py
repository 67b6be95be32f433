"""R11.1: people manage their own accounts: password reset by e-mail (single use, expiring),
password change, e-mail change verified at the new address; Django's password validators."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from parley.accounts.models import User
from parley.testing import (
    PASSWORD,
    ActiveCast,
    Api,
    Cast,
    build_case,
    mailed_token,
    make_cast,
    open_socket,
)

NEW_PASSWORD = "a quite different passphrase"


@pytest.fixture
def active_live() -> ActiveCast:
    return build_case(make_cast(), stage="active")


def signed_in(email: str, password: str = PASSWORD, address: str = "127.0.0.1") -> Client:
    client = Client(REMOTE_ADDR=address)
    response = client.post("/login/", {"login": email, "password": password})
    assert response.status_code == 302, response.content
    return client


def is_signed_in(client: Client) -> bool:
    return client.get("/api/v1/me").status_code == 200


def link_in_last_mail(to: str) -> str:
    message = mail.outbox[-1]
    assert message.to == [to]
    found = re.search(r"http://testserver(/\S+)", str(message.body))
    assert found, message.body
    return found.group(1)


def request_reset(email: str) -> Client:
    client = Client()
    response = client.post("/accounts/password/reset/", {"email": email})
    assert response.status_code == 302
    return client


def follow_reset_link(client: Client, link: str, password: str) -> int:
    response = client.get(link, follow=True)
    if b"password1" not in response.content:
        return response.status_code if response.status_code != 200 else 410
    path = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(path, {"password1": password, "password2": password})
    return response.status_code


def test_r11_1_a_forgotten_password_is_reset_from_a_mailed_link_that_works_once(
    cast: Cast,
) -> None:
    other_device = signed_in("alice@example.com")
    client = request_reset("alice@example.com")
    link = link_in_last_mail("alice@example.com")
    assert PASSWORD not in str(mail.outbox[-1].body)
    assert follow_reset_link(client, link, NEW_PASSWORD) == 302
    alice = User.objects.get(pk=cast.alice.pk)
    assert alice.check_password(NEW_PASSWORD)
    # The link is spent.
    response = Client().get(link, follow=True)
    assert b"password1" not in response.content
    assert b"invalid" in response.content.lower()
    # The reset ended the sessions signed in with the old password.
    assert not is_signed_in(other_device)
    signed_in("alice@example.com", NEW_PASSWORD)


def test_r11_1_a_reset_link_expires(cast: Cast) -> None:
    client = request_reset("alice@example.com")
    link = link_in_last_mail("alice@example.com")
    later = timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later, tick=False):
        response = client.get(link, follow=True)
    assert b"password1" not in response.content
    assert User.objects.get(pk=cast.alice.pk).check_password(PASSWORD)


def test_r11_1_asking_to_reset_an_unknown_address_looks_the_same(cast: Cast) -> None:
    known = Client().post("/accounts/password/reset/", {"email": "alice@example.com"})
    unknown = Client().post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])


def test_r11_1_changing_the_password_ends_the_other_sessions_only(cast: Cast) -> None:
    laptop = signed_in("alice@example.com")
    phone = signed_in("alice@example.com", address="192.0.2.10")
    bob = signed_in("bob@example.com")
    response = laptop.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert is_signed_in(bob)


@pytest.mark.django_db(transaction=True)
async def test_r11_1_changing_the_password_closes_the_other_sessions_sockets(
    active_live: ActiveCast,
) -> None:
    phone = await sync_to_async(signed_in)("alice@example.com", PASSWORD, "192.0.2.10")
    laptop = await sync_to_async(signed_in)("alice@example.com")
    key = phone.cookies[settings.SESSION_COOKIE_NAME].value
    socket, connected, _ = await open_socket(None, active_live.case.pk, session_key=key)
    assert connected

    def change() -> int:
        return laptop.post(
            "/accounts/password/change/",
            {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        ).status_code

    assert await sync_to_async(change)() == 302
    while True:
        output = await socket.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            assert output["code"] == 4401
            break


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short-1A!", "too short"),
        ("alice@example.com", "too similar"),
        ("Alice Alvarez 1", "too similar"),
        ("qwerty123456", "too common"),
        ("123456789012345", "entirely numeric"),
    ],
)
def test_r11_1_weak_passwords_are_refused_on_change(cast: Cast, password: str, why: str) -> None:
    client = signed_in("alice@example.com")
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": password, "password2": password},
    )
    assert response.status_code == 200
    assert why in response.content.decode().lower()
    assert User.objects.get(pk=cast.alice.pk).check_password(PASSWORD)


def test_r11_1_an_invitee_cannot_choose_their_own_address_as_password(cast: Cast) -> None:

    cast = build_case(cast)
    _, link = Api(cast.maya).post(
        f"/cases/{cast.case.pk}/invitations",
        {"email": "xss@demo.parley.test", "name": "X", "role": "observer"},
    )
    token = mailed_token(link["id"])
    status, error = Api(None).post(
        "/invitations/accept", {"token": token, "password": "xss@demo.parley.test"}
    )
    assert (status, error["code"]) == (422, "weak_password")
    assert "too similar" in error["detail"]
    status, preview = Api(None).post("/invitations/preview", {"token": token})
    assert status == 200
    assert "account_exists" not in preview


def test_r11_1_a_new_email_address_counts_only_once_verified(cast: Cast) -> None:
    client = signed_in("alice@example.com")
    response = client.post("/accounts/email/", {"action_add": "", "email": "alice.new@example.com"})
    assert response.status_code == 302
    link = link_in_last_mail("alice.new@example.com")
    # Not yet: the account still has the old address, and the new one cannot sign in.
    assert User.objects.get(pk=cast.alice.pk).email == "alice@example.com"
    stranger = Client()
    stranger.post("/login/", {"login": "alice.new@example.com", "password": PASSWORD})
    assert not is_signed_in(stranger)
    response = client.post(link)
    assert response.status_code == 302
    assert User.objects.get(pk=cast.alice.pk).email == "alice.new@example.com"
    signed_in("alice.new@example.com")
    # Someone else's address cannot be taken over.
    response = client.post("/accounts/email/", {"action_add": "", "email": "bob@example.com"})
    assert User.objects.get(pk=cast.bob.pk).email == "bob@example.com"
    assert User.objects.get(pk=cast.alice.pk).email == "alice.new@example.com"
