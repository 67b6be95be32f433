"""A party takes her record away on her phone (R5.2): she asks for a PDF on the My record page,
the page follows the job that `parley serve` runs in the background until the file is ready,
and the file she downloads holds her view of the case; the other party gets the same 404 for
her file. The page runs under the CSP and fits a 375-px screen (R11.5)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from parley.web.tests.browser.conftest import DEMO_PASSWORD, Server, start_server, stop_server
from parley.web.tests.browser.people import Person
from parley.web.tests.browser.test_csp import LISTEN

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`parley serve` as `make run` runs it: the export runs in its job consumer."""
    server = start_server(tmp_path_factory.mktemp("exports"), demo=True, serve=True)
    yield server
    stop_server(server)


def person(browser: Any, server: Server, name: str, width: int) -> Person:
    context = browser.new_context(
        viewport={"width": width, "height": 800}, base_url=server.url, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    context.add_init_script(LISTEN)
    who = Person(context.new_page(), server.url, name)
    who.sign_in(f"{name}@demo.parley.test", DEMO_PASSWORD)
    return who


def test_r5_2_a_party_makes_and_downloads_her_pdf_record_on_a_phone(
    browser: Any, served: Server, screenshots: Path | None
) -> None:
    alice = person(browser, served, "alice", 375)
    alice.shots = screenshots
    page = alice.page
    page.locator("a[href^='/cases/']").first.click()
    page.get_by_role("link", name="My record of this mediation").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+/record/$"))
    alice.axe("my record")
    page.get_by_role("button", name="Make a PDF").click()
    # The page polls while the job is waiting or being made, until the link appears.
    download_link = page.locator("#exports").get_by_role("link", name="Download")
    expect(download_link).to_be_visible(timeout=60_000)
    alice.shot("record-375")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    assert page.evaluate("() => window.__cspViolations") == []
    with page.expect_download() as got:
        download_link.click()
    pdf = Path(got.value.path()).read_bytes()
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    assert "I could live with a partial refund" in text  # her caucus
    assert "Welcome, everyone." in text  # the joint room
    assert "PRIVILEGED AND CONFIDENTIAL" in text

    # Her file is hers: the other party gets the one 404 page for its address.
    href = download_link.get_attribute("href")
    assert href is not None
    bob = person(browser, served, "bob", 1100)
    response = bob.page.goto(served.url + href)
    assert response is not None and response.status == 404
