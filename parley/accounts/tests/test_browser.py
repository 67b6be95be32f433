"""R11.1/R11.2 in Chromium against a real server, reading the mail it really sends (its file
backend): a mediator signs up, verifies the address, is approved by the operator, enrols a
passkey on Chromium's virtual authenticator and signs in with it; a party resets a forgotten
password from the mailed link, which then fails; TOTP enrolment and sign-in with a code the
test computes."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from parley.accounts.second_factor import totp_code
from parley.web.tests.browser.conftest import (
    BIN,
    Server,
    link_in_last_mail,
    sign_in_page,
)

pytestmark = pytest.mark.browser

PASSWORD = "a mediator's passphrase"
OPERATOR = "ops@example.com"


def host_url(server: Server) -> str:
    """Passkeys need a domain (an IP address is no relying-party id): localhost."""
    return server.url.replace("127.0.0.1", "localhost")


def make_user(server: Server, email: str, *, staff: bool = False) -> None:
    subprocess.run(
        [
            str(BIN / "python"),
            "-c",
            "import django; django.setup()\n"
            "from parley.accounts.models import User\n"
            f"User.objects.create_user({email!r}, {PASSWORD!r}, full_name='Test Person', "
            f"is_staff={staff!r})\n",
        ],
        env=server.env,
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def reauthenticate_if_asked(page: Page) -> None:
    if "/accounts/reauthenticate/" in page.url:
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()


def test_r11_2_a_mediator_signs_up_is_approved_and_signs_in_with_a_passkey(
    browser: Any, server: Server, page: Page
) -> None:
    base = host_url(server)
    make_user(server, OPERATOR, staff=True)
    email = "nadia.browser@example.com"
    page.goto(base + "/accounts/signup/")
    page.get_by_label("Your full name").fill("Nadia Neutral")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
    page.get_by_label("The password again").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("Verify Your Email Address").first).to_be_visible()
    # The link in the mail the server sent.
    page.goto(base + link_in_last_mail(server, email, "/accounts/confirm-email/"))
    page.get_by_role("button", name="Confirm").click()
    sign_in_page(page, base, email, PASSWORD)
    expect(page.get_by_text("waiting for the operator's approval")).to_be_visible()

    # The operator approves her.
    ops_context = browser.new_context(viewport={"width": 1024, "height": 800})
    ops = ops_context.new_page()
    sign_in_page(ops, base, OPERATOR, PASSWORD)
    ops.goto(base + "/operator/")
    ops.get_by_role("button", name=f"Approve {email}").click()
    expect(ops.get_by_text(f"{email} is approved as a mediator.")).to_be_visible()
    ops_context.close()
    page.reload()
    expect(page.get_by_role("heading", name="Start a new mediation")).to_be_visible()

    # A passkey, on Chromium's virtual authenticator (DevTools protocol).
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    page.goto(base + "/accounts/2fa/webauthn/add/")
    reauthenticate_if_asked(page)
    page.get_by_label("Name").fill("Laptop passkey")
    page.get_by_label("Passwordless").check()
    page.get_by_role("button", name="Add").click()
    expect(page).not_to_have_url(re.compile(r"/webauthn/add/"))
    page.goto(base + "/accounts/2fa/")
    expect(page.get_by_text("You have added 1 security key.")).to_be_visible()

    # Signed out, she signs in with the passkey alone.
    page.goto(base + "/")
    page.get_by_role("button", name="Sign out").click()
    page.goto(base + "/login/")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page).to_have_title("My cases · Parley")
    expect(page.get_by_role("heading", name="Start a new mediation")).to_be_visible()


def test_r11_1_a_party_resets_a_forgotten_password_and_the_link_then_fails(
    server: Server, page: Page
) -> None:
    base = server.url
    email = "pat.party@example.com"
    make_user(server, email)
    page.goto(base + "/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label(re.compile("Email", re.IGNORECASE)).fill(email)
    page.get_by_role("button", name=re.compile("Reset My Password", re.IGNORECASE)).click()
    link = link_in_last_mail(server, email, "/accounts/password/reset/key/")
    page.goto(base + link)
    new = "a brand new passphrase 42"
    page.get_by_label(re.compile(r"^New Password:?$")).fill(new)
    page.get_by_label(re.compile(r"^New Password \(again\):?$")).fill(new)
    page.get_by_role("button", name="Change Password").click()
    expect(page.get_by_text("Your password is now changed.")).to_be_visible()
    # The link is spent.
    page.goto(base + link)
    expect(page.get_by_text("Bad Token")).to_be_visible()
    expect(page.get_by_label(re.compile(r"^New Password:?$"))).to_have_count(0)
    sign_in_page(page, base, email, new)


def test_r11_2_a_person_enrols_an_authenticator_app_and_signs_in_with_its_code(
    browser: Any, server: Server, page: Page
) -> None:
    base = server.url
    email = "tess.totp@example.com"
    make_user(server, email)
    sign_in_page(page, base, email, PASSWORD)
    page.goto(base + "/account/")
    page.get_by_role("link", name=re.compile("Second factor")).click()
    page.goto(base + "/accounts/2fa/totp/activate/")
    reauthenticate_if_asked(page)
    secret = page.get_by_label("Authenticator secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]+=*", secret)
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text(re.compile("recovery codes", re.IGNORECASE)).first).to_be_visible()
    page.goto(base + "/")
    page.get_by_role("button", name="Sign out").click()
    sign_in_page(page, base, email, PASSWORD, totp_secret=secret)
    # A wrong code does not get in.
    other = browser.new_context()
    try:
        wrong = other.new_page()
        wrong.goto(base + "/login/")
        wrong.get_by_label("E-mail address").fill(email)
        wrong.get_by_label("Password").fill(PASSWORD)
        wrong.get_by_role("button", name="Sign in", exact=True).click()
        wrong.get_by_label("Code").fill(totp_code(secret, step=20))  # ten minutes off
        wrong.get_by_role("button", name="Sign In").click()
        expect(wrong.get_by_text("Incorrect code.")).to_be_visible()
    finally:
        other.close()
