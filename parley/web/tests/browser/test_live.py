"""Live updates that survive real life: an idle socket on Redis, a dropped connection, a phone,
a keyboard with no mouse. All on the demo mediation (`parley demo`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import WebSocketRoute, expect

from parley.cases.demo import DEMO_TOTP_SECRET
from parley.web.tests.browser.conftest import DEMO_PASSWORD, Server
from parley.web.tests.browser.people import LIVE_TIMEOUT, Person

pytestmark = pytest.mark.browser

DEMO_TITLE = "Demo: Alvarez v. Brightline Builders (kitchen renovation)"


def new_person(
    browser: Any, server: Server, who: str, *, width: int = 1024, shots: Path | None = None
) -> Person:
    """A browser of their own, not signed in yet (a test may route its socket first)."""
    context = browser.new_context(viewport={"width": width, "height": 800}, base_url=server.url)
    context.set_default_timeout(15_000)
    return Person(context.new_page(), server.url, who, shots)


def enter_joint_room(person: Person) -> Person:
    secret = DEMO_TOTP_SECRET if person.name == "maya" else None
    person.sign_in(f"{person.name}@demo.parley.test", DEMO_PASSWORD, secret)
    person.page.get_by_role("link", name=DEMO_TITLE).click()
    expect(person.page).to_have_title(f"Joint room · {DEMO_TITLE} · Parley")
    person.wait_live()
    return person


def open_joint_room(
    browser: Any, server: Server, who: str, *, width: int = 1024, shots: Path | None = None
) -> Person:
    return enter_joint_room(new_person(browser, server, who, width=width, shots=shots))


def bob_in_the_joint_room_and_alice(
    browser: Any, server: Server, closing: list[Person]
) -> tuple[Person, Person]:
    """Bob on the joint room; Alice's browser open but not signed in (her test routes her
    socket first)."""
    bob = open_joint_room(browser, server, "bob")
    closing.append(bob)
    alice = new_person(browser, server, "alice")
    closing.append(alice)
    return bob, alice


@pytest.fixture
def closing() -> Iterator[list[Person]]:
    opened: list[Person] = []
    yield opened
    for person in opened:
        person.page.context.close()


def test_an_idle_page_on_redis_still_receives_live_events(
    browser: Any, redis_server: Server, closing: list[Person]
) -> None:
    """redis-py's default socket timeout drops a channel-layer reader idle for ~5 s; the
    settings turn it off. The page must stay on its first connection and still get events."""
    alice = open_joint_room(browser, redis_server, "alice")
    bob = open_joint_room(browser, redis_server, "bob")
    closing.extend([alice, bob])
    alice.page.wait_for_timeout(7_000)  # idle for longer than redis-py's 5 s default
    bob.post("Still there after a quiet spell?")
    alice.sees("Still there after a quiet spell?")
    expect(alice.page.locator("body")).to_have_attribute("data-connects", "1")
    expect(alice.page.locator("body")).to_have_attribute("data-live", "open")


def test_r9_2_a_dropped_socket_catches_up_without_gaps_or_duplicates(
    browser: Any, demo_server: Server, closing: list[Person]
) -> None:
    bob, alice = bob_in_the_joint_room_and_alice(browser, demo_server, closing)
    routes: list[WebSocketRoute] = []
    network = {"up": True}

    def route(ws: WebSocketRoute) -> None:
        # The network between Alice's browser and the server: while it is down every attempt
        # to (re)connect is cut at once.
        if not network["up"]:
            ws.close()
            return
        ws.connect_to_server()
        routes.append(ws)

    alice.page.route_web_socket("**/ws/cases/**", route)
    enter_joint_room(alice)
    bob.post("Before the drop.")
    alice.sees("Before the drop.")

    network["up"] = False
    for ws in routes:
        ws.close()
    expect(alice.page.locator("body")).to_have_attribute("data-live", "closed")
    missed = [f"Said while Alice was away, number {n}." for n in range(1, 4)]
    for text in missed:
        bob.post(text)
    for text in missed:
        expect(alice.entry(text)).to_have_count(0)

    network["up"] = True
    expect(alice.page.locator("body")).to_have_attribute("data-live", "open", timeout=LIVE_TIMEOUT)
    for text in missed:
        alice.sees(text)
    bob.post("After the reconnect.")
    alice.sees("After the reconnect.")
    ids = alice.page.eval_on_selector_all(
        "#entries [data-entry-id]", "els => els.map(e => Number(e.dataset.entryId))"
    )
    assert ids == sorted(set(ids)), "entries are doubled or out of order after the reconnect"
    bodies = alice.page.locator("#entries article.entry .body").all_inner_texts()
    assert bodies[-5:] == ["Before the drop.", *missed, "After the reconnect."]


def test_a_burst_of_pushes_is_fetched_together_and_nothing_is_missed(
    browser: Any, demo_server: Server, closing: list[Person]
) -> None:
    """Each push makes the page fetch what is new; a burst must not cost a fetch per entry."""
    bob, alice = bob_in_the_joint_room_and_alice(browser, demo_server, closing)
    held: list[str | bytes] = []
    pages: list[WebSocketRoute] = []
    holding = {"on": False}

    def route(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()
        pages.append(ws)

        def from_server(message: str | bytes) -> None:
            # While holding, pushed entries wait here and then reach the page all at once.
            if holding["on"] and json.loads(message).get("type") == "entry":
                held.append(message)
            else:
                ws.send(message)

        server.on_message(from_server)

    alice.page.route_web_socket("**/ws/cases/**", route)
    # Counts the page's catch-up fetches (the browser may answer repeats from its cache, which
    # Playwright's request events would not all show).
    alice.page.add_init_script(
        "(() => { const f = window.fetch; window.catchUps = 0;"
        " window.fetch = function (url) {"
        " if (String(url).includes('after=')) window.catchUps++;"
        " return f.apply(this, arguments); }; })()"
    )
    enter_joint_room(alice)

    holding["on"] = True
    burst = [f"Point {n} of six." for n in range(1, 7)]
    for text in burst:
        bob.post(text)
    for _ in range(100):
        if len(held) == len(burst):
            break
        alice.page.wait_for_timeout(100)
    assert len(held) == len(burst), "the pushes did not arrive"
    for text in burst:
        expect(alice.entry(text)).to_have_count(0)
    holding["on"] = False
    before = alice.page.evaluate("window.catchUps")
    for message in held:
        pages[-1].send(message)
    for text in burst:
        alice.sees(text)
    alice.page.wait_for_timeout(500)  # let any fetch still queued run
    fetched = alice.page.evaluate("window.catchUps") - before
    # One fetch for the first push, one more for all the rest (at most one more if a push
    # arrives just as that one starts); a fetch per push would be six.
    assert fetched <= 3, fetched
    bodies = alice.page.locator("#entries article.entry .body").all_inner_texts()
    assert bodies[-6:] == burst


def test_the_workspace_fits_a_375_px_phone_without_horizontal_scroll(
    browser: Any, demo_server: Server, closing: list[Person], screenshots: Path | None
) -> None:
    alice = open_joint_room(browser, demo_server, "alice", width=375, shots=screenshots)
    closing.append(alice)
    for tab in ("Joint room", "Our caucus with the mediator", "Counsel room (no mediator)"):
        alice.room(tab)
        fits = alice.page.evaluate(
            "() => document.documentElement.scrollWidth <= window.innerWidth"
        )
        assert fits, f"{tab} scrolls sideways on a 375 px screen"
        alice.axe(tab)
    alice.room("Our caucus with the mediator")
    alice.shot("workspace-375")


def test_a_message_can_be_written_and_posted_with_the_keyboard_alone(
    browser: Any, demo_server: Server, closing: list[Person]
) -> None:
    bob = open_joint_room(browser, demo_server, "bob")
    closing.append(bob)
    page = bob.page
    page.locator("body").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == "body":
            break
    else:
        pytest.fail("Tab never reached the message box")
    page.keyboard.type("Typed without a mouse.")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Post"
    page.keyboard.press("Enter")
    bob.sees("Typed without a mouse.")


def test_the_mediators_notebook_and_caucus_pages_pass_axe(
    browser: Any, demo_server: Server, closing: list[Person], screenshots: Path | None
) -> None:
    maya = open_joint_room(browser, demo_server, "maya", width=1280, shots=screenshots)
    closing.append(maya)
    maya.axe("joint room (mediator)")
    maya.shot("workspace-joint")
    maya.room("My notebook")
    expect(maya.page.locator("#room-readers")).to_contain_text("Only you see this notebook.")
    maya.axe("notebook")
    maya.room("Caucus: Alice Alvarez (homeowner)")
    expect(maya.entry("Between us").get_by_text("Do not disclose")).to_be_visible()
    maya.axe("caucus (mediator)")
    maya.shot("workspace-caucus-mediator")


def test_r9_2_the_page_posts_over_its_socket_and_over_http_when_the_socket_is_down(
    browser: Any, demo_server: Server, closing: list[Person]
) -> None:
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    context.set_default_timeout(15_000)
    bob = Person(context.new_page(), demo_server.url, "bob")
    closing.append(bob)
    posts: list[str] = []
    bob.page.on(
        "request",
        lambda r: posts.append(r.url) if r.method == "POST" and r.url.endswith("/post/") else None,
    )
    network = {"up": True}

    def route(ws: WebSocketRoute) -> None:
        if not network["up"]:
            ws.close()
            return
        ws.connect_to_server()
        sockets.append(ws)

    sockets: list[WebSocketRoute] = []
    bob.page.route_web_socket("**/ws/cases/**", route)
    bob.sign_in("bob@demo.parley.test", DEMO_PASSWORD)
    bob.page.get_by_role("link", name=DEMO_TITLE).click()
    bob.wait_live()
    key = bob.page.locator("#composer input[name=client_key]")
    first_key = key.input_value()

    bob.post("Sent over the live connection.")
    assert posts == [], "with the socket open the page must not post over HTTP"
    expect(bob.page.get_by_label("Write in this room")).to_have_value("")
    assert key.input_value() != first_key, "the next message needs a fresh idempotency key"

    # A refusal comes back with the server's reason, and the text stays for a retry.
    bob.page.get_by_label("Write in this room").fill("   ")
    bob.page.get_by_role("button", name="Post").click()
    expect(bob.page.locator("#composer [role=alert]")).to_have_text("Write something first.")
    assert posts == []

    network["up"] = False
    for ws in sockets:
        ws.close()
    expect(bob.page.locator("body")).not_to_have_attribute("data-live", "open")
    bob.post("Sent while the live connection is down.")
    assert len(posts) == 1, "without a socket the same form goes over HTTP"


def test_a_page_that_must_reload_keeps_what_the_person_is_typing(
    browser: Any, demo_server: Server, closing: list[Person]
) -> None:
    """An event the page cannot patch in (here a new conflict disclosure, which changes what
    the workspace asks of a party) reloads an idle page by itself; a page with a message being
    written says it is out of date instead, keeps the draft, and reloads when asked."""
    alice = new_person(browser, demo_server, "alice", width=375)  # on her phone
    closing.append(alice)
    sockets: list[WebSocketRoute] = []

    def route(ws: WebSocketRoute) -> None:
        ws.connect_to_server()
        sockets.append(ws)

    alice.page.route_web_socket("**/ws/cases/**", route)
    enter_joint_room(alice)
    page = alice.page
    case = page.locator("body").get_attribute("data-case")
    event = json.dumps({"type": "disclosure_added", "case": int(case or 0)})

    draft = "I was about to say that March suits us"
    page.get_by_label("Write in this room").fill(draft)
    page.locator("#room-title").click()  # focus leaves the box: the draft is what holds it
    page.evaluate("window.stillHere = true")
    sockets[-1].send(event)
    notice = page.locator("#page-changed")
    expect(notice).to_contain_text("This page has changed since you opened it.")
    expect(notice).to_be_in_viewport()  # seen from the box she is writing in
    expect(page.get_by_label("Write in this room")).to_have_value(draft)
    assert page.evaluate("window.stillHere === true"), "the page reloaded over the draft"

    notice.get_by_role("button", name="Show the new version").click()
    expect(page.locator("#page-changed")).to_have_count(0)
    alice.wait_live()
    assert page.evaluate("window.stillHere === undefined")

    # With nothing typed, the page reloads by itself.
    page.evaluate("window.stillHere = true")
    sockets[-1].send(event)
    page.wait_for_function("window.stillHere === undefined")
    alice.wait_live()
    expect(page.locator("#page-changed")).to_have_count(0)
