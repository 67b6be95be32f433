"""Two mediations settled in real browsers: one through double-blind bidding, one through a
multi-issue proposal. Both end with every party signing, the case settled, and the PDF."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from parley.testing import MAYA_TOTP_SECRET
from parley.web.tests.browser.conftest import BIN, PASSWORD, Server, sign_in_page
from parley.web.tests.browser.people import assert_accessible

pytestmark = pytest.mark.browser

SETUP = """
import json
import django
django.setup()
from parley.accounts.models import User
from parley.testing import Cast, build_case

def user(email, name):
    found = User.objects.filter(email=email).first()
    return found or User.objects.create_user(email, PASSWORD, full_name=name)

cast = Cast(
    maya=User.objects.get(email="maya@example.com"),
    alice=user("alice.n@example.com", "Alice Alvarez"),
    bob=user("bob.n@example.com", "Bob Brightline"),
    carol=user("carol.n@example.com", "Carol Counsel"),
    olga=user("olga.n@example.com", "Olga Outsider"),
)
cast = build_case(cast)
print(json.dumps({"case": cast.case.pk}))
"""


def active_case(server: Server) -> int:
    done = subprocess.run(
        [str(BIN / "python"), "-c", f"PASSWORD = {PASSWORD!r}\n" + SETUP],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return int(json.loads(done.stdout.strip().splitlines()[-1])["case"])


@pytest.fixture
def case_id(server: Server) -> int:
    """A fresh active mediation (built through the real actions) with its accounts."""
    return active_case(server)


@pytest.fixture
def people(browser: Any, server: Server, case_id: int) -> Iterator[dict[str, Page]]:
    contexts = []
    pages = {}
    for name, email in (
        ("maya", "maya@example.com"),
        ("alice", "alice.n@example.com"),
        ("bob", "bob.n@example.com"),
    ):
        context = browser.new_context(
            viewport={"width": 1100, "height": 900}, base_url=server.url, accept_downloads=True
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        secret = MAYA_TOTP_SECRET if name == "maya" else None
        sign_in_page(page, server.url, email, PASSWORD, secret)
        pages[name] = page
    yield pages
    for context in contexts:
        context.close()


def open_page(page: Page, case_id: int) -> None:
    page.goto(f"/cases/{case_id}/negotiate/")
    expect(page).to_have_title(re.compile(r"^Negotiate: "))


def axe_at_both_widths(page: Page, where: str) -> None:
    """axe-core on the page as it stands, at 1280 px and on a 375 px phone."""
    size = page.viewport_size
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page, f"{where} at {width} px")
    if size is not None:
        page.set_viewport_size(size)


def bid(page: Page, case_id: int, amount: str) -> None:
    open_page(page, case_id)
    page.get_by_label(re.compile(r"^The (most|least) your side would")).fill(amount)
    page.get_by_role("button", name="Enter the sealed figure").click()
    expect(page.get_by_role("status").filter(has_text="Your sealed figure is in")).to_be_visible()


def sign_and_download(people: dict[str, Page], case_id: int) -> None:
    for name, full in (("alice", "Alice Alvarez"), ("bob", "Bob Brightline")):
        page = people[name]
        open_page(page, case_id)
        page.get_by_label("I have read the settlement and agree to it").check()
        page.get_by_label(re.compile(r"^Type your full name")).fill(full)
        page.get_by_role("button", name="Sign the settlement").click()
        # The last signature ends the mediation and the page refreshes at once: the settlement
        # itself, not only the passing notice, tells each signer they signed.
        expect(page.locator("#signed-by-me")).to_have_text(
            "You signed this version of the settlement."
        )
    # Every page still open on the tab (the mediator's, the first signer's) shows by itself
    # that the mediation ended (it reloads on the socket's word); only then is it safe to
    # navigate it, or that reload would cut the navigation short.
    for page in people.values():
        expect(page.locator("body")).to_have_attribute("data-terminated", "1")
        expect(page.locator("#settled-banner")).to_be_visible()
    for name, page in people.items():
        open_page(page, case_id)
        expect(page.locator("#settled-banner")).to_be_visible()
        expect(page.locator("#signed-by-me")).to_have_count(1 if name in ("alice", "bob") else 0)
        axe_at_both_widths(page, f"negotiation, settled ({name})")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the settlement (PDF)").click()
        path = download.value.path()
        assert path is not None
        with open(path, "rb") as f:
            assert f.read(5) == b"%PDF-"
    # The case itself says it ended with a settlement.
    maya = people["maya"]
    response = maya.request.get(f"/api/v1/cases/{case_id}")
    assert response.json()["outcome"] == "settled"


def test_a_mediation_settles_through_double_blind_bidding(
    people: dict[str, Page], case_id: int
) -> None:
    maya, alice, bob = people["maya"], people["alice"], people["bob"]
    open_page(maya, case_id)
    maya.get_by_text("Open blind bidding", exact=True).first.click()
    maya.get_by_label("Who pays whom").select_option(label="Bob pays Alice")
    maya.get_by_role("button", name="Open blind bidding").click()
    expect(maya.get_by_role("status").filter(has_text="Blind bidding is open.")).to_be_visible()
    # Round 1 fails (gap 4,321.09 > 30% of 10,987.65): nobody learns anything.
    bid(bob, case_id, "6666.56")
    bid(alice, case_id, "10987.65")
    axe_at_both_widths(alice, "negotiation, bidding open with her figure in")
    for page in (maya, alice, bob):
        open_page(page, case_id)
        expect(page.get_by_text("Round 1 did not settle.")).to_be_visible()
        html = page.content()
        for figure in ("6666.56", "6,666.56", "10987.65", "10,987.65", "4,321.09", "4321.09"):
            assert figure not in html
    # Round 2 settles within the margin, at the midpoint.
    bid(bob, case_id, "8000")
    bid(alice, case_id, "10000")
    # Maya's tab, open since round 1, shows the result by itself, and so does Bob's.
    for page in (maya, bob):
        expect(page.locator("#bidding-settled")).to_have_text("Round 2 settled at €9,000.00.")
    open_page(maya, case_id)
    expect(maya.locator("#bidding-settled")).to_have_text("Round 2 settled at €9,000.00.")
    axe_at_both_widths(maya, "negotiation, bidding settled (mediator)")
    maya.get_by_role("button", name="Draft the settlement from the bidding result").click()
    expect(maya.locator("#settlement-text")).to_contain_text("Bob pays Alice the sum of €9,000.00.")
    sign_and_download(people, case_id)


def test_a_mediation_settles_through_a_multi_issue_proposal(
    people: dict[str, Page], case_id: int
) -> None:
    maya, alice, bob = people["maya"], people["alice"], people["bob"]
    open_page(maya, case_id)
    maya.get_by_text("Set out issues or items", exact=True).click()
    maya.get_by_label(re.compile(r"^One per line")).fill(
        "Payment: 5,000 now / 8,000 over a year\nApology: Written apology / No apology"
    )
    maya.get_by_role("button", name="Set them out").click()
    expect(maya.get_by_role("status").filter(has_text="The issues are set out.")).to_be_visible()
    ratings = {
        alice: {
            "Payment": "80",
            "Apology": "20",
            "5,000 now": "30",
            "8,000 over a year": "100",
            "Written apology": "100",
            "No apology": "0",
        },
        bob: {
            "Payment": "25",
            "Apology": "75",
            "5,000 now": "100",
            "8,000 over a year": "0",
            "Written apology": "0",
            "No apology": "100",
        },
    }
    for page, table in ratings.items():
        open_page(page, case_id)
        for label, value in table.items():
            prefix = "Points for" if label in ("Payment", "Apology") else "Score for"
            page.get_by_label(f"{prefix} {label}", exact=True).fill(value)
        page.get_by_role("button", name="Record our ratings").click()
        expect(
            page.get_by_role("status").filter(has_text="Your ratings are recorded")
        ).to_be_visible()
    open_page(maya, case_id)
    maya.locator("#method-nash").check()
    maya.get_by_role("button", name="Ask the engine").click()
    expect(maya.locator("#suggestion")).to_contain_text("Payment: 8,000 over a year")
    assert_accessible(maya, "negotiation with a proposal (mediator)")
    maya.get_by_role("button", name="Present this proposal in the joint room").click()
    for page in (alice, bob):
        open_page(page, case_id)
        offer = page.locator("li.offer").filter(has_text="The mediator's proposal")
        expect(offer).to_contain_text("Apology: No apology")
        assert "100" not in offer.inner_text()  # no one's ratings on the proposal
        offer.get_by_role("button", name="Accept").click()
        expect(page.get_by_role("status").filter(has_text="You accepted")).to_be_visible()
    open_page(maya, case_id)
    maya.get_by_role("button", name="Draft the settlement from these terms").click()
    expect(maya.locator("#settlement-text")).to_contain_text("Payment: 8,000 over a year")
    sign_and_download(people, case_id)


def test_an_offer_reaches_the_other_sides_open_page_live_and_is_countered(
    people: dict[str, Page], case_id: int, screenshots: Path | None
) -> None:
    """Done when (issue 17): Bob's open negotiation page shows Alice's offer with its note
    within a second of her making it, without a reload; Bob counters; the bidding form works
    with its defaults; presence is right on the negotiation tab."""
    maya, alice, bob = people["maya"], people["alice"], people["bob"]
    open_page(bob, case_id)
    expect(bob.locator("body[data-live=open]")).to_be_attached()
    bob.evaluate("window.parleyNoReload = true")
    open_page(alice, case_id)
    expect(alice.locator("body[data-live=open]")).to_be_attached()
    # People on the negotiation tab show as online to each other.
    alice_id = alice.locator("body").get_attribute("data-participant")
    expect(bob.locator(f'[data-presence="{alice_id}"]')).to_have_text("online")
    alice.get_by_label("Who pays whom").select_option(label="Alice pays Bob")
    alice.get_by_label(re.compile(r"^Sum")).fill("3,300")
    alice.get_by_label(re.compile(r"^Conditions")).first.fill("Bob drops the complaint")
    alice.get_by_label(re.compile(r"^Note")).first.fill("Our last word before the break")
    alice.get_by_role("button", name="Make the offer").click()
    expect(alice.get_by_role("status").filter(has_text="Your offer is made.")).to_be_visible()
    offer = bob.locator("li.offer").filter(has_text="Offer from Alice")
    expect(offer).to_contain_text("Our last word before the break", timeout=1_000)
    expect(offer).to_contain_text("Bob drops the complaint")
    expect(offer).to_contain_text("Alice pays Bob the sum of €3,300.00.")
    expect(offer.get_by_role("button", name="Accept")).to_be_visible()
    axe_at_both_widths(bob, "negotiation with an open offer")
    assert_accessible(bob, "negotiation with an offer to answer (party)")
    # No reload: the same page, on the same socket connection.
    assert bob.evaluate("window.parleyNoReload === true")
    assert bob.locator("body").get_attribute("data-connects") == "1"
    offer.get_by_text("Counter", exact=True).click()
    offer.get_by_label(re.compile(r"^Your sum")).fill("4,100")
    offer.get_by_label(re.compile(r"^Note")).fill("Meet me halfway")
    offer.get_by_role("button", name="Make the counter-offer").click()
    expect(bob.get_by_role("status").filter(has_text="Your counter-offer is made.")).to_be_visible()
    countered = alice.locator("li.offer").filter(has_text="Counter-offer from Bob")
    expect(countered).to_contain_text("Meet me halfway")
    expect(countered).to_contain_text("Alice pays Bob the sum of €4,100.00.")
    expect(
        alice.locator("li.offer").filter(has_text="Offer from Alice").locator(".badge")
    ).to_have_text("Answered with a counter-offer")
    axe_at_both_widths(alice, "negotiation with a counter-offer")
    # The bidding form, as it comes, opens bidding; the bid fields say what they mean.
    open_page(maya, case_id)
    maya.get_by_text("Open blind bidding", exact=True).first.click()
    maya.get_by_role("button", name="Open blind bidding").click()
    expect(maya.get_by_role("status").filter(has_text="Blind bidding is open.")).to_be_visible()
    assert_accessible(maya, "negotiation with bidding open (mediator)")
    labels = [
        p.get_by_label(re.compile(r"^The (most|least) your side would")) for p in (alice, bob)
    ]
    for label in labels:
        expect(label).to_be_visible()
    texts = {p.locator("label[for=bid-amount]").inner_text().split(" (")[0] for p in (alice, bob)}
    assert texts == {"The most your side would pay", "The least your side would accept"}
    # On a phone the tab reads without sideways scrolling.
    bob.set_viewport_size({"width": 375, "height": 800})
    open_page(bob, case_id)
    assert bob.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(bob, "negotiation on a phone")
    if screenshots is not None:
        bob.screenshot(path=str(screenshots / "negotiation-375.png"), full_page=True)
        open_page(alice, case_id)
        alice.screenshot(path=str(screenshots / "negotiation.png"), full_page=True)
    # After the end: the tab still opens for reading, and stays accessible.
    expect(alice.locator("body[data-live=open]")).to_be_attached()
    bob.goto(f"/cases/{case_id}/end/")
    bob.get_by_label("Yes, end the mediation now").check()
    bob.get_by_role("button", name="End the mediation").click()
    expect(bob.locator("#ended-banner")).to_be_visible()
    # Alice's tab is still open: the end reloads it by itself (it then shows the ended case,
    # with no offer form). Only then is it safe to navigate it, or that reload would cut the
    # navigation short.
    expect(alice.locator("body")).to_have_attribute("data-terminated", "1")
    expect(alice.locator("#offer-form")).to_have_count(0)
    open_page(alice, case_id)
    axe_at_both_widths(alice, "negotiation after the end")
