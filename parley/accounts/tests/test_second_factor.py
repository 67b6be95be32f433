"""R11.2: a second factor (TOTP with recovery codes, or a passkey) is required of mediators
before they issue an agreement, and of everyone when the operator says so; offered to all; a
lost factor is reset by the operator, and the reset is recorded."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings

from parley.accounts.actions import do_reset_second_factor
from parley.accounts.models import AccountEvent, AccountEventKind, User
from parley.accounts.second_factor import totp_code
from parley.agreements.actions import do_issue_agreement
from parley.errors import DomainError, NotFound
from parley.testing import MAYA_TOTP_SECRET, PASSWORD, Api, Cast, build_case


def password_step(client: Client, email: str, password: str = PASSWORD) -> str:
    response = client.post("/login/", {"login": email, "password": password})
    assert response.status_code == 302
    return str(response["Location"])


def is_signed_in(client: Client) -> bool:
    return client.get("/api/v1/me").status_code == 200


def test_r11_2_a_mediator_without_a_second_factor_cannot_issue(cast: Cast) -> None:
    cast = build_case(cast, stage="setup")
    Authenticator.objects.filter(user=cast.maya).delete()
    with pytest.raises(DomainError) as refused:
        do_issue_agreement(acting_user=cast.maya, case_id=cast.case.pk)
    assert refused.value.code == "second_factor_required"
    status, body = Api(cast.maya).post(f"/cases/{cast.case.pk}/agreement/issue")
    assert (status, body["code"]) == (403, "second_factor_required")
    # The set-up page says what to do, and links to it.
    page = Client()
    page.force_login(cast.maya)
    html = page.get(f"/cases/{cast.case.pk}/setup/").content.decode()
    assert "set up a second factor" in html
    assert 'href="/accounts/2fa/"' in html


def test_r11_2_a_mediator_with_a_second_factor_issues(cast: Cast) -> None:
    cast = build_case(cast, stage="setup")
    status, _ = Api(cast.maya).post(f"/cases/{cast.case.pk}/agreement/issue")
    assert status == 200


def test_r11_2_signing_in_with_a_second_factor_asks_for_the_code(cast: Cast) -> None:
    client = Client()
    assert password_step(client, "maya@example.com") == "/accounts/2fa/authenticate/"
    assert not is_signed_in(client)
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200
    assert not is_signed_in(client)
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(MAYA_TOTP_SECRET)})
    assert response.status_code == 302
    assert is_signed_in(client)


def test_r11_2_a_person_enrols_an_authenticator_app_and_gets_recovery_codes(cast: Cast) -> None:
    client = Client()
    password_step(client, "alice@example.com")
    assert is_signed_in(client)
    # Offered on the account page.
    assert "Second factor" in client.get("/account/").content.decode()
    response = client.get("/accounts/2fa/totp/activate/")
    # Changing one's factors asks for the password again first.
    assert response["Location"].startswith("/accounts/reauthenticate/")
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    secret = response.context["form"].secret
    response = client.post("/accounts/2fa/totp/activate/", {"code": "123456"})
    assert response.status_code == 200  # a wrong code is refused
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert set(Authenticator.objects.filter(user=cast.alice).values_list("type", flat=True)) == {
        "totp",
        "recovery_codes",
    }
    codes = re.findall(r"\b\d{8}\b", client.get("/accounts/2fa/recovery-codes/").content.decode())
    assert len(codes) >= 10
    # A recovery code signs in once.
    other = Client()
    password_step(other, "alice@example.com")
    assert other.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 302
    assert is_signed_in(other)
    again = Client()
    password_step(again, "alice@example.com")
    again.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert not is_signed_in(again)


def test_r11_2_the_operator_resets_a_lost_factor_and_it_is_recorded(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    operator = User.objects.create_user("ops@example.com", PASSWORD, is_staff=True)
    with pytest.raises(NotFound):  # no one else can
        do_reset_second_factor(acting_user=cast.alice, user_id=cast.maya.pk, reason="lost")
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "resetfactor", "maya@example.com", operator="ops@example.com", reason="Phone stolen"
        )
    assert not Authenticator.objects.filter(user=cast.maya).exists()
    event = AccountEvent.objects.get(user=cast.maya)
    assert (event.actor, event.kind, event.reason) == (
        operator,
        AccountEventKind.SECOND_FACTOR_RESET,
        "Phone stolen",
    )
    assert mail.outbox[-1].to == ["maya@example.com"]
    assert "second factor" in str(mail.outbox[-1].body)
    # She signs in with her password alone and must enrol again before issuing.
    client = Client()
    assert password_step(client, "maya@example.com") == "/"
    with pytest.raises(DomainError, match="no second factor"):
        do_reset_second_factor(acting_user=operator, user_id=cast.maya.pk, reason="again")


def test_r11_2_the_operator_can_require_a_second_factor_of_everyone(
    cast: Cast, settings: Settings
) -> None:
    settings.PARLEY_SECOND_FACTOR = "everyone"
    alice = Client()
    password_step(alice, "alice@example.com")
    response = alice.get("/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/2fa/")
    response = alice.get("/api/v1/cases")
    assert (response.status_code, response.json()["code"]) == (403, "second_factor_required")
    assert alice.get("/account/").status_code == 200  # where she enrols
    assert alice.get("/accounts/2fa/").status_code == 200
    maya = Client()
    maya.force_login(cast.maya)
    assert maya.get("/").status_code == 200


def test_r11_3_an_authenticator_key_is_not_stored_in_the_clear(cast: Cast) -> None:
    """A copy of the database does not give away anyone's second factor; rotation re-seals it
    and sign-in with a code keeps working; a key stored before sealing is sealed by the
    migration."""
    import base64
    import importlib
    import tempfile
    from datetime import timedelta
    from pathlib import Path

    import time_machine
    from django.apps import apps
    from django.db import connection
    from django.test import override_settings
    from django.utils import timezone

    from parley.accounts.second_factor import enrol_totp
    from parley.vault import keys

    def raw_rows() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT data FROM mfa_authenticator")
            return " ".join(str(row[0]) for row in cursor.fetchall())

    enrol_totp(cast.alice, "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TF")
    assert "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TF" not in raw_rows()
    assert MAYA_TOTP_SECRET not in raw_rows()
    assert "s1:" in raw_rows()

    def signs_in_with_code(email: str, secret: str) -> bool:
        client = Client()
        assert password_step(client, email) == "/accounts/2fa/authenticate/"
        client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
        return is_signed_in(client)

    assert signs_in_with_code("maya@example.com", MAYA_TOTP_SECRET)

    new_file = Path(tempfile.mkdtemp()) / "new.master-key"
    call_command("keys", "rotate", str(new_file))
    with (
        override_settings(PARLEY_MASTER_KEY=base64.b64decode(new_file.read_text())),
        time_machine.travel(timezone.now() + timedelta(minutes=2)),  # a code is used once
    ):
        keys.forget()
        assert signs_in_with_code("maya@example.com", MAYA_TOTP_SECRET)

        # A key written before sealing existed: the migration seals it, sign-in still works.
        row = Authenticator.objects.get(user=cast.alice, type="totp")
        row.data = {"secret": "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TF"}
        row.save()
        assert "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TF" in raw_rows()
        migration = importlib.import_module(
            "parley.accounts.migrations.0007_seal_second_factor_secrets"
        )
        migration.seal_existing(apps, None)
        assert "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TF" not in raw_rows()
    keys.forget()
