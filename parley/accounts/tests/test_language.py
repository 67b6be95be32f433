"""R11.1: pages speak the person's language: the profile's once signed in, else the one chosen
on the sign-in page, else the browser's, else British English."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from parley.accounts.models import User
from parley.cases.actions import do_invite
from parley.cases.policy import Role
from parley.meetings.tests.helpers import Capture
from parley.testing import Cast, build_case, cid


def html_lang(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)">', html)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    ("language", "words", "english"),
    [
        ("es", [">Mis casos</a>", ">Cerrar sesión</button>"], [">Sign out</button>"]),
        ("de", [">Meine Fälle</a>", ">Abmelden</button>"], [">Sign out</button>"]),
    ],
)
def test_r11_1_a_person_reads_pages_in_the_language_of_their_profile(
    cast: Cast, language: str, words: list[str], english: list[str]
) -> None:
    User.objects.filter(pk=cast.alice.pk).update(language=language)
    client = Client(HTTP_ACCEPT_LANGUAGE="en-GB")
    client.force_login(cast.alice)
    response = client.get("/")
    html = response.content.decode()
    assert html_lang(html) == language
    assert response["Content-Language"] == language
    assert all(word in html for word in words)
    assert not any(word in html for word in english)


def test_r11_1_an_anonymous_browser_asking_for_german_gets_the_sign_in_page_in_german(
    db: None,
) -> None:
    response = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    html = response.content.decode()
    assert html_lang(html) == "de"
    assert "<h1>Anmelden</h1>" in html
    assert "Passwort vergessen?" in html
    assert "Forgot your password?" not in html


def test_r11_1_a_language_nobody_translated_gives_british_english(db: None) -> None:
    html = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr").content.decode()
    assert html_lang(html) == "en-gb"
    assert "<h1>Sign in</h1>" in html


def test_r11_1_the_sign_in_page_switches_language_and_stays_where_the_person_was(
    db: None,
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en-GB")
    page = client.get("/accounts/signup/").content.decode()
    # The switch names every language in itself and comes back to this page.
    for name in ("English (UK)", "Español", "Deutsch"):
        assert f">{name}</button>" in page
    assert 'name="next" value="/accounts/signup/"' in page
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/accounts/signup/"})
    assert (response.status_code, response["Location"]) == (302, "/accounts/signup/")
    html = client.get("/login/").content.decode()
    assert html_lang(html) == "es"
    assert "<h1>Iniciar sesión</h1>" in html


def test_r11_1_the_profile_language_wins_over_the_browser_and_the_switch_is_gone(
    cast: Cast,
) -> None:
    User.objects.filter(pk=cast.alice.pk).update(language="es")
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.cookies["django_language"] = "de"
    client.force_login(cast.alice)
    html = client.get("/account/").content.decode()
    assert html_lang(html) == "es"
    assert "/i18n/setlang/" not in html


def test_r11_1_the_profile_offers_each_language_in_its_own_name(cast: Cast) -> None:
    User.objects.filter(pk=cast.alice.pk).update(language="de")
    client = Client()
    client.force_login(cast.alice)
    html = client.get("/account/").content.decode()
    for code, name in [("en-gb", "English (UK)"), ("es", "Español"), ("de", "Deutsch")]:
        assert re.search(rf'<option value="{code}"[^>]*>{re.escape(name)}</option>', html)


def test_r11_1_someone_who_accepts_an_invitation_in_spanish_keeps_spanish(
    cast: Cast, django_capture_on_commit_callbacks: Capture
) -> None:
    cast = build_case(cast)
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, token = do_invite(
            acting_user=cast.maya,
            case_id=cid(cast),
            email="dora@example.com",
            display_name="Dora Observer",
            role=Role.OBSERVER,
        )
    client = Client(HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    password = "a long and unusual passphrase"
    response = client.post(
        f"/invitations/{token}/", {"password": password, "password_again": password}
    )
    assert response.status_code == 302
    assert User.objects.get(email="dora@example.com").language == "es"
