"""A room in the browser: Enter sends and Shift+Enter starts a new line; a long room opens at
its latest entry, pages back with "Show earlier entries", and "Jump to the latest entry"
brings the end back. On the demo mediation, in the mediator's notebook (no one else's)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from parley.web.tests.browser.conftest import Server
from parley.web.tests.browser.people import Person
from parley.web.tests.browser.test_live import open_joint_room

pytestmark = pytest.mark.browser


@pytest.fixture
def maya(browser: Any, demo_server: Server) -> Iterator[Person]:
    person = open_joint_room(browser, demo_server, "maya", width=375)
    yield person
    person.page.context.close()


def in_view(person: Person, text: str) -> bool:
    box = person.entry(text)
    return bool(
        box.evaluate(
            "el => { const r = el.getBoundingClientRect();"
            " return r.top < window.innerHeight && r.bottom > 0; }"
        )
    )


def test_enter_sends_and_a_long_room_opens_at_its_latest_entry(maya: Person) -> None:
    maya.room("My notebook")
    page = maya.page
    box = page.get_by_label("Write in this room")
    box.fill("First line")
    box.press("Shift+Enter")
    box.type("second line")
    box.press("Enter")
    maya.sees("First line")
    expect(maya.entry("First line").locator(".body")).to_contain_text("second line")
    expect(maya.entry("First line").locator(".body br")).to_have_count(1)
    expect(box).to_have_value("")
    for i in range(1, 56):
        box.fill(f"Note {i} of 55")
        box.press("Enter")
        maya.sees(f"Note {i} of 55")

    page.reload()
    maya.wait_live()
    expect(maya.entry("Note 55 of 55")).to_be_in_viewport()  # opened at its latest entry
    maya.never_sees("First line")
    expect(page.locator("#entries article.entry")).to_have_count(50)

    page.get_by_role("link", name="Show earlier entries").click()
    maya.sees("First line")
    expect(page.get_by_role("link", name="Show earlier entries")).to_have_count(0)

    page.evaluate("() => window.scrollTo(0, 0)")
    jump = page.get_by_role("link", name="Jump to the latest entry")
    expect(jump).to_be_visible()
    jump.click()
    expect(jump).to_be_hidden()
    assert in_view(maya, "Note 55 of 55")
