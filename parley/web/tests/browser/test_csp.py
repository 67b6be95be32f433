"""R11.5: every page runs under the strict Content-Security-Policy, and Chromium reports no
violation on any of them (no inline script or style, nothing from another origin)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from parley.web.tests.browser.conftest import DEMO_PASSWORD, Server
from parley.web.tests.browser.people import Person

pytestmark = pytest.mark.browser

# Chromium fires `securitypolicyviolation` on the document for every refused script, style,
# image, connection or frame; the listener is installed before any page script runs.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || e.documentURI}:${e.lineNumber}`);
});
"""
SKIP = (".pdf", ".json", "/download/", "/logout/", "/export")


@pytest.fixture
def context(browser: Any, server: Server) -> Iterator[Any]:
    context = browser.new_context(base_url=server.url)
    context.set_default_timeout(15_000)
    context.add_init_script(LISTEN)
    yield context
    context.close()


def visit(page: Any, url: str, console: list[str]) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    found: list[str] = page.evaluate("() => window.__cspViolations")
    return found + [m for m in console if "Content Security Policy" in m]


def crawl(person: Person, start: str, console: list[str]) -> dict[str, list[str]]:
    """Every same-origin page reachable by links from `start` (files and sign-out left out)."""
    seen: dict[str, list[str]] = {}
    queue = [start]
    while queue and len(seen) < 60:
        path = queue.pop(0)
        if path in seen:
            continue
        console.clear()
        seen[path] = visit(person.page, person.base + path, console)
        hrefs = person.page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
        for href in hrefs:
            parts = urlsplit(href)
            if f"{parts.scheme}://{parts.netloc}" != person.base:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen and not any(s in target for s in SKIP):
                queue.append(target)
    return seen


@pytest.mark.parametrize(
    "email", ["maya@demo.parley.test", "alice@demo.parley.test", "carol@demo.parley.test"]
)
def test_r11_5_every_page_loads_with_no_csp_violation(
    context: Any, server: Server, email: str
) -> None:
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    person = Person(page, server.url, email.split("@")[0])

    anonymous = {p: visit(page, server.url + p, console) for p in ("/login/", "/api/v1/docs")}
    # Swagger UI really ran (the vendored bundle and our starter are allowed, the spec loaded).
    page.goto(server.url + "/api/v1/docs")
    page.get_by_text("Parley API").first.wait_for()

    person.sign_in(email, DEMO_PASSWORD)
    pages = crawl(person, "/", console)
    assert any("/rooms/" in p for p in pages), pages.keys()  # the crawl reached the workspace
    assert any("/negotiate/" in p for p in pages), pages.keys()
    violations = {p: v for p, v in {**anonymous, **pages}.items() if v}
    assert violations == {}
