"""One person at one browser: what they click and type, in the words on the page."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from parley.web.tests.browser.conftest import sign_in_page
from parley.web.tests.browser.i18n import assert_no_english, t

AXE_URL = "/static/vendor/axe-core-4.14.1/axe.min.js"

LIVE_TIMEOUT = 10_000  # ms a live update may take to appear


@dataclass
class Person:
    page: Page
    base: str
    name: str
    shots: Path | None = None
    checked: set[str] = field(default_factory=set)
    # The language their pages speak: what they look for on them is its words (i18n.t).
    lang: str = "en"
    # What people typed (entries, names, the case title): not checked for English.
    typed: tuple[str, ...] = ()

    def t(self, text: str, **values: str) -> str:
        return t(text, self.lang, **values)

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path)

    def axe(self, where: str) -> None:
        """Each kind of page is checked once per person: enough, and keeps the suite quick.
        A page in Spanish or German is also checked for English left on it."""
        if where not in self.checked:
            self.checked.add(where)
            assert_accessible(self.page, where)
            assert_no_english(self.page, self.lang, where, self.typed)

    def shot(self, name: str) -> None:
        if self.shots is not None:
            self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)

    def sign_in(self, email: str, password: str, totp_secret: str | None = None) -> None:
        """The mediators of the demo and of the test server have an authenticator app (R11.2):
        their code is computed from its known secret."""
        from parley.cases.demo import DEMO_TOTP_SECRET
        from parley.testing import MAYA_TOTP_SECRET

        known = {"maya@demo.parley.test": DEMO_TOTP_SECRET, "maya@example.com": MAYA_TOTP_SECRET}
        totp_secret = totp_secret or known.get(email)
        self.goto("/login/")
        expect(self.page).to_have_title("Sign in · Parley")
        self.axe("sign in")
        sign_in_page(self.page, self.base, email, password, totp_secret)

    def wait_live(self) -> None:
        expect(self.page.locator("body")).to_have_attribute("data-live", "open")

    def room(self, tab: str) -> None:
        rooms = self.page.get_by_role("navigation", name=self.t("Rooms"))
        rooms.get_by_role("link", name=tab).click()
        expect(self.page.locator("#room-title")).to_have_text(tab)
        self.wait_live()

    def tabs(self) -> list[str]:
        links = self.page.get_by_role("navigation", name=self.t("Rooms")).get_by_role("link")
        new = self.t("(new)")
        return [tab.strip().removesuffix(new).strip() for tab in links.all_inner_texts()]

    def post(self, text: str, *, disclose: bool | None = None) -> None:
        self.page.get_by_label(self.t("Write in this room")).fill(text)
        if disclose is not None:
            label = "Yes, the mediator may share it" if disclose else "No: do not disclose"
            self.page.locator("#composer .post-form").get_by_label(self.t(label)).check()
        self.page.get_by_role("button", name=self.t("Post")).click()
        self.sees(text)

    def entry(self, text: str) -> Any:
        return self.page.locator("#entries article.entry").filter(has_text=text)

    def sees(self, text: str) -> None:
        expect(self.entry(text)).to_have_count(1, timeout=LIVE_TIMEOUT)

    def never_sees(self, text: str) -> None:
        assert text not in self.page.content(), f"{self.name}'s page shows {text!r}"


def assert_accessible(page: Any, where: str) -> None:
    """axe-core, injected into the page: no serious or critical violation."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Loaded from the server's static files: an inline copy would be refused by the CSP.
        page.add_script_tag(url=AXE_URL)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({id: v.id, impact: v.impact, help: v.help,
                            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    assert result == [], f"axe on {where} ({page.url}):\n" + json.dumps(result, indent=2)
