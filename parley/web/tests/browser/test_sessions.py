"""Sessions end to end, on a server started the way `make run` starts it (`parley serve`, the
job consumer in a process of its own beside it, mail to a real file outbox): poll, answers, pick, calendar
files read from the outbox, move, cancel, the private feed, attendance and the court report."""

from __future__ import annotations

import email
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.header import decode_header, make_header
from email.message import Message
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import expect
from pypdf import PdfReader

from parley.cases.demo import DEMO_PASSWORD
from parley.web.tests.browser.conftest import Server, start_server, stop_server
from parley.web.tests.browser.people import Person

pytestmark = pytest.mark.browser

BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    """`parley serve` as `make run` runs it: no PARLEY_JOBS_IMMEDIATE, no separate worker."""
    root = tmp_path_factory.mktemp("served")
    outbox = root / "outbox"
    server = start_server(root, demo=True, serve=True, env={"EMAIL_URL": f"file://{outbox}"})
    yield server, outbox
    stop_server(server)


def person(browser: Any, server: Server, name: str) -> Person:
    context = browser.new_context(viewport={"width": 1100, "height": 900}, base_url=server.url)
    context.set_default_timeout(15_000)
    who = Person(context.new_page(), server.url, name)
    who.sign_in(f"{name}@demo.parley.test", DEMO_PASSWORD)
    return who


def read_outbox(outbox: Path) -> list[Message]:
    messages = []
    for path in sorted(outbox.glob("*.log")) if outbox.exists() else []:
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk))
    return messages


def subject_of(message: Message) -> str:
    """The subject as written (a time with an en dash travels RFC 2047-encoded)."""
    return str(make_header(decode_header(message["Subject"])))


def wait_for_mail(
    outbox: Path, to: str, subject: str, *, seen: int = 0, within: float = 5.0
) -> Message:
    """The first mail to `to` whose subject starts with `subject`, beyond the first `seen`
    such mails, as it arrives in the outbox (the job runs in the server's own process)."""
    deadline = time.monotonic() + within
    while True:
        found = [
            m for m in read_outbox(outbox) if to in m["To"] and subject_of(m).startswith(subject)
        ]
        if len(found) > seen:
            return found[seen]
        assert time.monotonic() < deadline, f"no mail {subject!r} to {to} within {within} s"
        time.sleep(0.1)


def ics(message: Message) -> Calendar:
    for part in message.walk():
        if part.get_filename() == "mediation-session.ics":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return Calendar.from_ical(payload)
    raise AssertionError("no calendar file attached")


def event(cal: Calendar) -> Any:
    [found] = cal.walk("VEVENT")
    return found


def fill_slot(page: Any, i: int, start: datetime, end: datetime) -> None:
    page.locator(f"#poll-date-{i}").fill(start.date().isoformat())
    page.locator(f"#poll-start-{i}").fill(f"{start:%H:%M}")
    page.locator(f"#poll-end-{i}").fill(f"{end:%H:%M}")


def test_invitation_mail_reaches_the_outbox_within_5_seconds_with_no_other_command(
    browser: Any, served: tuple[Server, Path]
) -> None:
    server, outbox = served
    maya = person(browser, server, "maya")
    maya.goto("/cases/1/setup/")
    page = maya.page
    page.get_by_label("Full name").fill("Olive Observer")
    page.get_by_label("E-mail address").fill("olive@example.com")
    page.get_by_label("Role", exact=True).select_option("observer")
    started = time.monotonic()
    page.get_by_role("button", name="Invite").click()
    mail = wait_for_mail(outbox, "olive@example.com", "Maya Mediator invites you", within=5.0)
    assert time.monotonic() - started < 5.0
    body = mail.get_payload(decode=True)
    assert isinstance(body, bytes)
    assert b"What happens next" in body and b"/invitations/" in body


def test_r10_a_poll_becomes_a_session_with_calendars_feed_attendance_and_report(
    browser: Any, served: tuple[Server, Path]
) -> None:
    server, outbox = served
    maya = person(browser, server, "maya")
    alice = person(browser, server, "alice")
    bob = person(browser, server, "bob")
    now = datetime.now(BERLIN).replace(second=0, microsecond=0)
    slots = [
        (now - timedelta(minutes=5), now + timedelta(minutes=55)),
        (now + timedelta(days=1, hours=1), now + timedelta(days=1, hours=2)),
        (now + timedelta(days=2, hours=1), now + timedelta(days=2, hours=2)),
    ]

    # The mediator polls three times (in Berlin time).
    maya.goto("/cases/1/sessions/")
    page = maya.page
    page.locator("#poll-tz").select_option("Europe/Berlin")
    for i, (start, end) in enumerate(slots):
        fill_slot(page, i, start, end)
    page.get_by_role("button", name="Send the poll").click()
    expect(page.get_by_text("Poll sent.")).to_be_visible()
    maya.wait_live()
    maya.axe("sessions")
    for who in ("alice", "bob"):
        wait_for_mail(outbox, f"{who}@demo.parley.test", "When can you attend?")

    # Alice and Bob answer on the grid; each sees only their own answers.
    answered: list[tuple[Person, tuple[str, ...]]] = [
        (alice, ("yes", "maybe", "no")),
        (bob, ("yes", "yes", "no")),
    ]
    # The mediator's sessions page stays open meanwhile, and each answer reloads it by itself:
    # her grid then holds that answer. Wait for it each time, so that the page is back on its
    # socket for the next answer, and is not reloading when she navigates it (the reload would
    # cut that navigation short).
    given = page.locator("table.poll-grid td:is(.answer-yes, .answer-maybe, .answer-no)")
    for n, (party, answers) in enumerate(answered, start=1):
        party.goto("/cases/1/sessions/")
        grid = party.page.locator("table.poll-grid")
        expect(grid).to_be_visible()
        for row, answer in enumerate(answers):
            grid.locator("tbody tr").nth(row).locator(f'input[value="{answer}"]').check()
        party.page.get_by_role("button", name="Save my answers").click()
        expect(party.page.get_by_text("Only the mediator sees them")).to_be_visible()
        party.wait_live()
        party.axe("sessions")
        expect(given).to_have_count(n * len(answers))
        maya.wait_live()
    # Bob's grid holds his own answers only (he said no "if need be"; Alice did).
    expect(bob.page.locator('input[value="maybe"]:checked')).to_have_count(0)

    # The mediator sees both and schedules the first time in one click.
    maya.goto("/cases/1/sessions/")
    first_row = page.locator("table.poll-grid tbody tr").first
    expect(first_row).to_contain_text("Yes")
    expect(page.locator("table.poll-grid tbody tr").nth(1)).to_contain_text("If need be")
    first_row.get_by_role("button", name=re.compile("^Schedule")).click()
    expect(page.get_by_text("Session scheduled from the poll")).to_be_visible()
    # Alice's and Bob's sessions pages are still open: they reload by themselves to show the
    # session (and again when it moves). Wait for that before anyone navigates them.
    zones: dict[str, str] = {}
    for party in (alice, bob):
        expect(party.page.locator("li.session")).to_have_count(1)
        party.wait_live()
        zones[party.name] = party.page.locator(".case-head strong").inner_text()

    # Each invitee's mail carries an .ics that parses to the right UTC instant.
    uid = None
    for who in ("alice", "bob"):
        cal = ics(wait_for_mail(outbox, f"{who}@demo.parley.test", "Mediation session:"))
        ev = event(cal)
        assert str(cal["METHOD"]) == "REQUEST"
        assert ev["DTSTART"].dt.astimezone(UTC) == slots[0][0].astimezone(UTC)
        assert ev["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert int(ev["SEQUENCE"]) == 0
        uid = uid or str(ev["UID"])
        assert str(ev["UID"]) == uid

    # Moving it (an hour longer) sends SEQUENCE + 1 under the same UID.
    session = page.locator("li.session").first
    session.locator("summary").click()
    session.get_by_label("Ends").fill(f"{slots[0][1] + timedelta(hours=1):%H:%M}")
    session.get_by_role("button", name="Move the session").click()
    expect(page.get_by_text("Session moved.")).to_be_visible()
    moved = ics(wait_for_mail(outbox, "alice@demo.parley.test", "Mediation session moved"))
    assert (str(event(moved)["UID"]), int(event(moved)["SEQUENCE"])) == (uid, 1)
    assert event(moved)["DTEND"].dt.astimezone(UTC) == (
        slots[0][1] + timedelta(hours=1)
    ).astimezone(UTC)
    # Their open pages show the new end by themselves (in each reader's zone).
    for party in (alice, bob):
        zone = zones[party.name]
        ends = (slots[0][1] + timedelta(hours=1)).astimezone(ZoneInfo(zone))
        expect(party.page.locator("li.session .when")).to_contain_text(f"{ends:%H:%M} ({zone})")

    # Alice's private feed lists it, and 404s once she switches it off.
    alice.goto("/calendar/")
    alice.page.get_by_role("button", name="Create my feed address").click()
    feed_url = alice.page.get_by_label("Your private feed address").input_value()
    with urllib.request.urlopen(feed_url, timeout=5) as response:  # noqa: S310
        feed = Calendar.from_ical(response.read())
    assert uid in [str(e["UID"]) for e in feed.walk("VEVENT")]

    # During the session Alice and Bob are in the joint room; the mediator confirms the roster.
    for party in (alice, bob):
        party.goto("/cases/1/")
        party.wait_live()
        expect(party.page.get_by_text("Joint session in progress")).to_be_visible()
    maya.goto("/cases/1/sessions/")
    roster = page.locator("form.roster").first
    for name in ("Alice Alvarez", "Bob Brightline"):
        expect(roster.get_by_label(f"{name} attended")).to_be_checked()
    roster.get_by_role("button", name="Confirm attendance").click()
    expect(page.get_by_text("Attendance confirmed.")).to_be_visible()

    # The report PDF, its text extracted, lists them against that session.
    maya.goto("/cases/1/report/")
    maya.axe("report")
    pdf = page.request.get(server.url + "/cases/1/report.pdf")
    assert pdf.status == 200
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(BytesIO(pdf.body())).pages
    )
    held_on = slots[0][0].date().isoformat()
    found = re.search(rf"1 {held_on} Joint session Yes (.*?)Content hash", text)
    assert found is not None, text
    assert "Alice Alvarez (Party)" in found.group(1) and "Bob Brightline (Party)" in found.group(1)

    # A second session, cancelled: METHOD:CANCEL for the same UID it was sent with.
    maya.goto("/cases/1/sessions/")
    page.locator("#kind").select_option("joint")
    page.locator("#date-new").fill(slots[2][0].date().isoformat())
    page.locator("#start-new").fill(f"{slots[2][0]:%H:%M}")
    page.locator("#end-new").fill(f"{slots[2][1]:%H:%M}")
    page.locator("#tz-new").select_option("Europe/Berlin")
    page.get_by_role("button", name="Schedule and invite").click()
    expect(page.get_by_text("Session scheduled.")).to_be_visible()
    second = ics(wait_for_mail(outbox, "bob@demo.parley.test", "Mediation session:", seen=1))
    second_uid = str(event(second)["UID"])
    assert second_uid != uid
    later = page.locator("li.session").filter(has_not_text="Held").last
    later.locator("summary").click()
    later.get_by_role("button", name="Cancel the session").click()
    expect(page.get_by_text("Session cancelled.")).to_be_visible()
    cancel = ics(wait_for_mail(outbox, "bob@demo.parley.test", "Mediation session cancelled"))
    assert str(cancel["METHOD"]) == "CANCEL"
    assert (str(event(cancel)["UID"]), int(event(cancel)["SEQUENCE"])) == (second_uid, 1)

    alice.goto("/calendar/")
    alice.page.get_by_role("button", name="Switch the feed off").click()
    expect(alice.page.get_by_text("Your calendar feed is switched off")).to_be_visible()
    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(feed_url, timeout=5)  # noqa: S310
    assert gone.value.code == 404
