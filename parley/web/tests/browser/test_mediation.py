"""A whole mediation, four people in four browsers: set-up, invitations, signing, the rooms and
their confidentiality, documents, termination. Every page is checked with axe-core.

It runs three times: with everyone reading English, then with Bob (the 375-px phone) reading
Spanish, then German. His browser asks for his language (Accept-Language), he accepts the
invitation and signs up in it, and his pages speak it from then on: the test finds everything on
them by its translation (i18n.t) and checks that none of Parley's own English is left on them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from parley.testing import MAYA_TOTP_SECRET, small_pdf
from parley.web.tests.browser.conftest import PASSWORD, Server, link_in_last_mail
from parley.web.tests.browser.people import LIVE_TIMEOUT, Person

pytestmark = pytest.mark.browser

PDF = small_pdf("a quote from another builder")
SECRET = "Between us: I already have a quote from another builder for 9,000."
OPEN_OFFER = "We could accept 6,000 if the cabinets are fixed by March."
COUNSEL_TALK = "Carol here: do not go below 6,000 without calling me."
BOB_NOTE = "Between us: 7,000 is the most I can do."
TITLE = "Alvarez v. Brightline"
# Everything people type in this test: it stays as they wrote it on every reader's page.
TYPED = (
    TITLE,
    "Maya Mediator",
    "Alice Alvarez",
    "Bob Brightline",
    "Brightline Builders",
    "Carol Counsel",
    "Welcome, everyone. Let's begin.",
    SECRET,
    OPEN_OFFER,
    COUNSEL_TALK,
    BOB_NOTE,
    "Written estimate (PDF)",
    "Photos of the cabinets",
    "builder-quote.pdf",
    "photos.pdf",
    "Thank you all, anyway.",
)
# Bob's browser asks for this (Playwright's locale: Accept-Language and navigator.language).
BROWSER_LOCALE = {"es": "es-ES", "de": "de-DE"}


@pytest.fixture(params=["en", "es", "de"])
def bobs_language(request: pytest.FixtureRequest) -> str:
    """The language Bob reads; everyone else reads British English (the browsers' default)."""
    lang: str = request.param
    return lang


@pytest.fixture
def cast(
    browser: Any, server: Server, screenshots: Path | None, bobs_language: str
) -> Iterator[dict[str, Person]]:
    contexts = []
    people = {}
    for name, width in (("maya", 1280), ("alice", 1024), ("bob", 375), ("carol", 1024)):
        lang = bobs_language if name == "bob" else "en"
        context = browser.new_context(
            viewport={"width": width, "height": 900},
            base_url=server.url,
            **({"locale": BROWSER_LOCALE[lang]} if lang in BROWSER_LOCALE else {}),
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        # The README's pictures are the English run's.
        shots = screenshots if bobs_language == "en" else None
        page = context.new_page()
        people[name] = Person(page, server.url, name, shots, lang=lang, typed=TYPED)
    yield people
    for context in contexts:
        context.close()


def invitation_link(server: Server, email: str) -> str:
    """From the invitation mail: the set-up page never shows the link (R11.2)."""
    return server.url + link_in_last_mail(server, email, "/invitations/")


def address(who: str, lang: str) -> str:
    """Each run invites people who have no account yet (the server lives for the session)."""
    return f"{who}@example.com" if lang == "en" else f"{who}.{lang}@example.com"


def invite(maya: Person, name: str, email: str, role: str, side: str = "", label: str = "") -> None:
    page = maya.page
    page.get_by_label("Full name").fill(name)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Role", exact=True).select_option(role)
    if side:
        page.get_by_label("Side (for counsel and support persons)").select_option(label=side)
    if label:
        page.get_by_label("Name of the new side").fill(label)
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("status").filter(has_text=f"{name} is invited")).to_be_visible()


def title_starts(person: Person, msgid: str) -> re.Pattern[str]:
    """A page title that begins with `msgid` (a sentence naming the case) in person's words."""
    return re.compile("^" + re.escape(person.t(msgid, title=TITLE)))


def accept_and_sign(person: Person, link: str, full_name: str) -> None:
    page = person.page
    page.goto(link)
    expect(page).to_have_title(title_starts(person, "Invitation to %(title)s"))
    person.axe("invitation")
    page.get_by_label(
        person.t("Choose a password (at least 12 characters, not like your name or address)")
    ).fill(PASSWORD)
    page.get_by_label(person.t("Type the password again")).fill(PASSWORD)
    page.get_by_role("button", name=person.t("Create my account and accept")).click()
    sign(person, full_name)


def sign(person: Person, full_name: str) -> None:
    page = person.page
    expect(page).to_have_title(title_starts(person, "Sign the agreement: %(title)s"))
    expect(page.locator("#agreement-hash")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    expect(
        page.get_by_text(
            person.t(
                "The mediator gives no legal advice and represents no one. You may consult your "
                "own lawyer at any time, in private, before and during the mediation."
            )
        )
    ).to_be_visible()
    expect(
        page.get_by_text(person.t("The mediator has no conflict of interest to disclose."))
    ).to_be_visible()
    person.axe("sign")
    person.shot("sign")
    page.get_by_label(
        person.t(
            "I have read the agreement and the disclosures above, and I agree to mediate on "
            "these terms."
        )
    ).check()
    page.get_by_label(person.t("Type your full name: %(name)s", name=full_name)).fill(full_name)
    page.get_by_role("button", name=person.t("Sign the agreement")).click()


def test_r3_r4_r7_a_whole_mediation_in_four_browsers(
    cast: dict[str, Person], server: Server, bobs_language: str
) -> None:
    maya, alice, bob, carol = cast["maya"], cast["alice"], cast["bob"], cast["carol"]
    email = {who: address(who, bobs_language) for who in ("alice", "bob", "carol")}

    # The mediator sets up the case.
    maya.sign_in("maya@example.com", PASSWORD, MAYA_TOTP_SECRET)
    maya.axe("dashboard")
    maya.page.get_by_label("Title").fill("Alvarez v. Brightline")
    maya.page.get_by_role("button", name="Create the case").click()
    expect(maya.page).to_have_title("Set-up: Alvarez v. Brightline · Parley")
    invite(maya, "Alice Alvarez", email["alice"], "party", label="Alice Alvarez")
    invite(maya, "Bob Brightline", email["bob"], "party", label="Brightline Builders")
    invite(maya, "Carol Counsel", email["carol"], "counsel", side="Alice Alvarez")
    maya.page.get_by_label("I have no conflict of interest to disclose").check()
    maya.page.get_by_role("button", name="Record").click()
    maya.page.get_by_role("button", name="Save the agreement").click()
    expect(maya.page.get_by_text("The agreement to mediate is saved.")).to_be_visible()
    maya.axe("set-up")
    maya.shot("setup")
    links = {who: invitation_link(server, address) for who, address in email.items()}
    maya.page.get_by_role("button", name="Issue the agreement for signing").click()
    sign(maya, "Maya Mediator")
    expect(maya.page).to_have_title(re.compile(r"^Waiting: "))
    maya.axe("lobby")

    # Everyone accepts and signs; the last party's signature starts the mediation, and the
    # pages of those already waiting move to the workspace without a reload.
    accept_and_sign(bob, links["bob"], "Bob Brightline")
    expect(bob.page).to_have_title(title_starts(bob, "Waiting: %(title)s"))
    bob.wait_live()
    bob.axe("lobby")
    # His account keeps the language he joined in: from here on his browser asks for English,
    # and his pages still speak his language.
    bob.page.context.set_extra_http_headers({"Accept-Language": "en-GB,en;q=0.9"})
    accept_and_sign(carol, links["carol"], "Carol Counsel")
    carol.wait_live()
    maya.wait_live()
    accept_and_sign(alice, links["alice"], "Alice Alvarez")
    for person in (maya, alice, bob, carol):
        expect(person.page).to_have_title(
            f"{person.t('Joint room')} · {TITLE} · Parley", timeout=LIVE_TIMEOUT
        )
        person.wait_live()
        person.axe("joint room")
    expect(bob.page.locator("#room-readers")).to_have_text(
        re.compile(re.escape(bob.t("Everyone in the mediation sees this room.")))
    )

    # A joint message appears live on the others' pages.
    maya.post("Welcome, everyone. Let's begin.")
    for person in (alice, bob, carol):
        person.sees("Welcome, everyone. Let's begin.")
    expect(alice.page.locator("[data-presence].on")).to_have_count(4, timeout=LIVE_TIMEOUT)

    # Alice's caucus: one entry she forbids sharing, one she allows.
    alice.room("Our caucus with the mediator")
    expect(alice.page.locator("#room-readers")).to_contain_text(
        "Only you, Carol Counsel (your lawyer) and Maya Mediator (the mediator) see this."
    )
    alice.axe("caucus")
    alice.post(SECRET, disclose=False)
    alice.post(OPEN_OFFER, disclose=True)
    expect(alice.entry(SECRET).get_by_text("Do not disclose")).to_be_visible()
    alice.shot("caucus")

    maya.room("Caucus: Alice Alvarez")
    maya.sees(SECRET)
    maya.sees(OPEN_OFFER)
    maya.axe("caucus (mediator)")
    # The entry Alice forbade offers no share at all, and says why.
    secret = maya.entry(SECRET)
    expect(secret.get_by_label("Share to…")).to_have_count(0)
    expect(secret).to_contain_text(
        "Not for sharing: the side asked that this stay in their caucus."
    )
    offer = maya.entry(OPEN_OFFER)
    offer.get_by_label("Share to…").select_option(label="the joint room (everyone)")
    offer.get_by_role("button", name="Share").click()
    # The lasting note (the answer's "Shared into ..." notice may be replaced at once by the
    # live re-render the share's own event causes; the note is in both).
    expect(maya.entry(OPEN_OFFER).locator(".shared-to")).to_contain_text(
        "Shared to the joint room by the mediator at"
    )
    maya.shot("share")

    # Bob sees the shared copy live, with where it came from; never the secret.
    bob.sees(OPEN_OFFER)
    expect(bob.entry(OPEN_OFFER).locator(".source")).to_have_text(
        bob.t(
            "Shared by %(by)s from %(side)s's caucus; written by %(author)s.",
            by="Maya Mediator",
            side="Alice Alvarez",
            author="Alice Alvarez",
        )
    )
    bob.never_sees(SECRET)
    assert bob.t("Caucus: %(side)s", side="Alice Alvarez") not in " ".join(bob.tabs())
    bob.shot("workspace-phone")

    # Bob's own caucus: what he keeps from Alice's side stays with the mediator.
    bob.room(bob.t("Our caucus with the mediator"))
    expect(bob.page.locator("#room-readers")).to_contain_text(
        bob.t(
            "Only you and %(other)s see this.",
            other=bob.t("%(name)s (the mediator)", name="Maya Mediator"),
        )
    )
    bob.axe("caucus")
    bob.post(BOB_NOTE, disclose=False)
    expect(bob.entry(BOB_NOTE).get_by_text(bob.t("Do not disclose"))).to_be_visible()
    maya.room("Caucus: Brightline Builders")
    maya.sees(BOB_NOTE)
    bob.room(bob.t("Joint room"))

    # Alice and her lawyer talk where the mediator is not.
    alice.room("Counsel room (no mediator)")
    expect(alice.page.locator("#room-readers")).to_have_text(
        re.compile(r"Only you and Carol Counsel \(your lawyer\) see this\. The mediator does not\.")
    )
    carol.room("Counsel room (no mediator)")
    carol.post(COUNSEL_TALK)
    alice.sees(COUNSEL_TALK)
    alice.axe("counsel room")
    assert not [t for t in maya.tabs() if t.startswith("Counsel room")]
    maya.never_sees(COUNSEL_TALK)
    counsel_url = alice.page.url
    maya.goto(counsel_url.removeprefix(maya.base))
    expect(maya.page).to_have_title("Not found · Parley")
    maya.axe("not found")
    maya.page.go_back()

    # A document follows the same rules: a private one cannot be shared, Bob cannot fetch it.
    alice.room("Our caucus with the mediator")
    upload(alice, "builder-quote.pdf", "Written estimate (PDF)", disclose=False)
    maya.room("Caucus: Alice Alvarez")
    maya.sees("Written estimate (PDF)")
    private_doc = maya.entry("Written estimate (PDF)")
    href = private_doc.get_by_role("link", name="Download builder-quote.pdf").get_attribute("href")
    assert href is not None
    assert maya.page.request.get(maya.base + href).body() == PDF
    assert bob.page.request.get(bob.base + href).status == 404
    expect(private_doc.get_by_role("button", name="Share")).to_have_count(0)
    expect(private_doc).to_contain_text("Not for sharing")
    upload(alice, "photos.pdf", "Photos of the cabinets", disclose=True)
    maya.sees("Photos of the cabinets")
    maya.entry("Photos of the cabinets").get_by_role("button", name="Share").click()
    # The lasting note, as for the first share (the transient notice may already be gone).
    expect(maya.entry("Photos of the cabinets").locator(".shared-to")).to_contain_text(
        "Shared to the joint room by the mediator at"
    )
    bob.sees("Photos of the cabinets")
    shared_href = (
        bob.entry("Photos of the cabinets")
        .get_by_role("link", name=bob.t("Download <bdi>%(name)s</bdi>", name="photos.pdf"))
        .get_attribute("href")
    )
    assert shared_href is not None
    assert bob.page.request.get(bob.base + shared_href).body() == PDF
    bob.never_sees("Written estimate (PDF)")

    # Bob reads the negotiation tab in his language too.
    bob.page.get_by_role("navigation", name=bob.t("Rooms")).get_by_role(
        "link", name=bob.t("Negotiation")
    ).click()
    expect(bob.page).to_have_title(title_starts(bob, "Negotiate: %(title)s"))
    bob.wait_live()
    bob.axe("negotiation")
    bob.room(bob.t("Joint room"))

    # Bob declares the end to the mediator; every page shows it at once.
    for person in (maya, alice, carol):
        person.room("Joint room")
    bob.page.get_by_role("link", name=bob.t("End the mediation (tell the mediator)")).click()
    expect(bob.page).to_have_title(title_starts(bob, "End the mediation: %(title)s"))
    bob.axe("end")
    bob.shot("end")
    bob.page.get_by_label(bob.t("Yes, end the mediation now")).check()
    bob.page.get_by_role("button", name=bob.t("End the mediation")).click()
    for person in (maya, alice, bob, carol):
        expect(person.page.locator("#ended-banner")).to_be_visible(timeout=LIVE_TIMEOUT)
        person.sees(person.t("The mediation has ended."))

    # After the end, posting asks for confirmation and the entry is marked not confidential.
    alice.page.get_by_label("Write in this room").fill("Thank you all, anyway.")
    alice.page.get_by_role("button", name="Post").click()
    expect(alice.page.locator("#composer").get_by_role("alert")).to_contain_text(
        "What you write now is NOT confidential"
    )
    alice.page.locator("#composer .post-form").get_by_label(
        "I understand the mediation has ended"
    ).check()
    alice.page.get_by_role("button", name="Post").click()
    for person in (alice, bob, maya):
        person.sees("Thank you all, anyway.")
        expect(
            person.entry("Thank you all, anyway.").get_by_text(person.t("Not confidential"))
        ).to_be_visible()
    alice.axe("joint room, ended")
    bob.axe("joint room, ended")
    alice.shot("ended")


def upload(person: Person, filename: str, description: str, *, disclose: bool) -> None:
    page = person.page
    page.get_by_text("Add a document").click()
    page.get_by_label(re.compile(r"^File \(")).set_input_files(
        {"name": filename, "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_label("existed before the mediation").check()
    page.get_by_label("What is it?").fill(description)
    label = "Yes, the mediator may share it" if disclose else "No: do not disclose"
    page.locator("details.upload").get_by_label(label).check()
    page.get_by_role("button", name="Upload").click()
    person.sees(description)
