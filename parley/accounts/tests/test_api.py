"""Signing in, invitations and API tokens (R1; issue: e-mail login, argon2, tokens)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from parley.accounts.models import ApiToken, User
from parley.cases.models import Invitation, Participant
from parley.testing import ActiveCast, Api, Cast, build_case, mailed_token


def invite(c: ActiveCast, email: str, role: str = "observer") -> dict[str, Any]:
    status, body = Api(c.maya).post(
        f"/cases/{c.case.pk}/invitations", {"email": email, "name": "New Person", "role": role}
    )
    assert status == 201, body
    assert "token" not in body and "link" not in body  # only the invited address gets the link
    result: dict[str, Any] = {**body, "token": mailed_token(body["id"])}
    return result


def test_it_hashes_passwords_with_argon2() -> None:
    assert settings.PASSWORD_HASHERS  # the fixture swaps them; the module keeps argon2 first
    from parley import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_it_signs_in_with_an_email_address(cast: Cast) -> None:
    client = Client()
    response = client.post("/login/", {"login": "ALICE@example.com", "password": "wrong"})
    assert response.status_code == 200
    assert b"are not correct" in response.content
    response = client.post(
        "/login/", {"login": "ALICE@example.com", "password": "correct horse battery"}
    )
    assert response.status_code == 302


def test_a_new_person_accepts_an_invitation_by_choosing_a_password(cast: Cast) -> None:
    cast = build_case(cast)
    link = invite(cast, "oscar@example.com")
    client = Api(None)
    status, preview = client.post("/invitations/preview", {"token": link["token"]})
    assert status == 200
    assert (preview["email"], preview["role"]) == ("oscar@example.com", "observer")
    status, error = client.post(
        "/invitations/accept", {"token": link["token"], "password": "short"}
    )
    assert (status, error["code"]) == (422, "weak_password")
    status, accepted = client.post(
        "/invitations/accept", {"token": link["token"], "password": "a long enough passphrase"}
    )
    assert status == 200, accepted
    assert accepted["role"] == "observer"
    assert User.objects.get(email="oscar@example.com").check_password("a long enough passphrase")
    # The new account is signed in.
    assert client.get("/me")[1]["email"] == "oscar@example.com"


def test_an_invitation_is_single_use(cast: Cast) -> None:
    cast = build_case(cast)
    link = invite(cast, "oscar@example.com")
    Api(None).post(
        "/invitations/accept", {"token": link["token"], "password": "a long enough passphrase"}
    )
    status, error = Api(None).post(
        "/invitations/accept", {"token": link["token"], "password": "a long enough passphrase"}
    )
    # A used link says so (and to sign in), instead of a bare Not found.
    assert (status, error["code"]) == (410, "invitation_used")


def test_an_invitation_expires(cast: Cast) -> None:
    cast = build_case(cast)
    link = invite(cast, "oscar@example.com")
    Invitation.objects.filter(pk=link["id"]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    status, _ = Api(None).post("/invitations/preview", {"token": link["token"]})
    assert status == 404


def test_a_forged_invitation_link_is_not_found(cast: Cast) -> None:
    cast = build_case(cast)
    link = invite(cast, "oscar@example.com")
    token = str(link["token"])
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert Api(None).post("/invitations/preview", {"token": forged})[0] == 404


def test_an_invitation_is_accepted_only_by_the_invited_address(cast: Cast) -> None:
    cast = build_case(cast)
    link = invite(cast, "oscar@example.com")
    status, error = Api(cast.olga).post("/invitations/accept", {"token": link["token"]})
    assert (status, error["code"]) == (403, "wrong_account")
    assert not Participant.objects.filter(user=cast.olga).exists()


def test_an_existing_account_must_sign_in_to_accept(cast: Cast) -> None:
    cast = build_case(cast)
    link = invite(cast, cast.olga.email)
    status, error = Api(None).post(
        "/invitations/accept", {"token": link["token"], "password": "whatever long"}
    )
    assert (status, error["code"]) == (401, "sign_in_required")
    assert Api(cast.olga).post("/invitations/accept", {"token": link["token"]})[0] == 200


def test_a_personal_token_authenticates_scripts(active: ActiveCast) -> None:
    status, created = Api(active.alice).post("/tokens", {"name": "my script"})
    assert status == 201
    raw = created["token"]
    assert not ApiToken.objects.filter(token_hash=raw).exists()  # only the hash is stored
    client = Client()
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.json()["email"] == "alice@example.com"
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer pk_wrong")
    assert response.status_code == 401


def test_the_browser_session_needs_a_csrf_token_to_write(active: ActiveCast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/login/")  # sets the CSRF cookie
    client.force_login(active.alice)
    path = f"/api/v1/cases/{active.case.pk}/rooms/{active.room('joint').pk}/entries"
    response = client.post(path, json.dumps({"body": "hi"}), content_type="application/json")
    assert response.status_code in (401, 403)
    token = client.cookies["csrftoken"].value
    response = client.post(
        path, json.dumps({"body": "hi"}), content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201


@pytest.mark.parametrize("path", ["/docs", "/openapi.json"])
def test_the_api_documents_itself(db: None, path: str) -> None:
    response = Client().get(f"/api/v1{path}")
    assert response.status_code == 200
