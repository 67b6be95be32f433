"""Parties read no hashes and no rule numbers: on every page a party or their lawyer can open,
SHA-256 fingerprints and rulebook numbers are inside a "details" element or gone."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from parley.accounts.models import User
from parley.documents.actions import do_upload_document
from parley.negotiation.tests.test_settlement import draft
from parley.rooms.actions import do_post_entry, do_share_entry
from parley.testing import ActiveCast, Cast, cid

HASH = re.compile(r"\b[0-9a-fA-F]{64}\b")
RULE = re.compile(r"\bR\d{1,2}(?:\.\d{1,2})?\b|§")
SHA_WORD = re.compile(r"SHA-?256", re.IGNORECASE)
# Downloads and actions that change something are not pages to read.
SKIP = re.compile(r"/(logout|record\.(pdf|json)|download|documents)/?|\.ics$|\.pdf$|/api/")


class VisibleText(HTMLParser):
    """The text a reader sees outside any <details> element, and the page's links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth_details = 0
        self.depth_hidden = 0
        self.outside: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "details":
            self.depth_details += 1
        if tag in ("script", "style", "template"):
            self.depth_hidden += 1
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        if tag == "input" and found.get("type") != "hidden" and self.depth_details == 0:
            self.outside.append(str(found.get("value") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "details":
            self.depth_details -= 1
        if tag in ("script", "style", "template"):
            self.depth_hidden -= 1

    def handle_data(self, data: str) -> None:
        if self.depth_details == 0 and self.depth_hidden == 0:
            self.outside.append(data)


def crawl(user: User) -> dict[str, str]:
    """Every page reachable by links from the dashboard, as `user` reads it (GET only)."""
    client = Client()
    client.force_login(user)
    seen: dict[str, str] = {}
    queue = ["/"]
    while queue:
        url = queue.pop()
        if url in seen or SKIP.search(url) or len(seen) > 200:
            continue
        response = client.get(url, follow=True)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            seen[url] = ""
            continue
        parser = VisibleText()
        parser.feed(response.content.decode())
        seen[url] = " ".join(parser.outside)
        for href in parser.links:
            link, _ = urldefrag(href)
            parts = urlsplit(link)
            if link and not parts.scheme and not parts.netloc and link.startswith("/"):
                queue.append(link)
    return {url: text for url, text in seen.items() if text}


@pytest.fixture
def rich_case(active: ActiveCast, settings: SettingsWrapper, tmp_path: Path) -> Cast:
    """A mediation with everything a party may read: a document, a shared caucus entry, an
    accepted offer and a drafted settlement."""
    settings.MEDIA_ROOT = tmp_path / "documents"
    do_upload_document(
        acting_user=active.alice,
        case_id=cid(active),
        room_id=active.room("joint").pk,
        upload=SimpleUploadedFile("quote.txt", b"Kitchen quote: 15,000"),
        provenance="pre_existing",
    )
    entry = do_post_entry(
        acting_user=active.alice,
        case_id=cid(active),
        room_id=active.room("caucus_a").pk,
        body="We could start in March.",
    )
    do_share_entry(
        acting_user=active.maya,
        case_id=cid(active),
        entry_id=entry.pk,
        target_room_id=active.room("joint").pk,
    )
    draft(active)
    return active


@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_no_page_a_party_or_their_lawyer_opens_shows_a_hash_or_a_rule_number(
    rich_case: ActiveCast, who: str
) -> None:
    pages = crawl(getattr(rich_case, who))
    assert any("/negotiat" in url for url in pages), sorted(pages)
    for part in ("/rooms/", "/sessions/", "/guide/", "/help/words/", "/account/"):
        assert any(part in url for url in pages), (part, sorted(pages))
    rooms = {url for url in pages if "/rooms/" in url and "?" not in url}
    assert len(rooms) == (3 if who != "bob" else 2), rooms  # joint, caucus (+ counsel room)
    for url, text in pages.items():
        found = SHA_WORD.search(text)
        assert not found, f"{url}: {text[max(0, found.start() - 200) : found.end() + 100]!r}"
        assert not HASH.search(text), f"{url} shows a hash outside a details element"
        assert not RULE.search(text), f"{url} shows a rule number: {RULE.search(text)}"


def test_the_document_fingerprint_is_still_there_behind_details(rich_case: ActiveCast) -> None:
    client = Client()
    client.force_login(rich_case.bob)
    html = client.get(f"/cases/{cid(rich_case)}/rooms/{rich_case.room('joint').pk}/")
    details = re.search(
        r"<details class=\"tech\"><summary>Details for checking this file</summary>.*?</details>",
        html.content.decode(),
        re.S,
    )
    assert details is not None and HASH.search(details.group(0))


def test_the_signed_settlement_pdf_keeps_hashes_and_rule_numbers_out_of_its_text(
    rich_case: ActiveCast,
) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    from parley.negotiation.tests.test_settlement import sign

    settlement = Client()
    settlement.force_login(rich_case.alice)
    url = f"/api/v1/cases/{cid(rich_case)}/negotiation/settlement"
    sha = settlement.get(url).json()["sha256"]
    for user in (rich_case.alice, rich_case.bob):
        status, _ = sign(rich_case, user, sha)
        assert status == 201
    pdf = settlement.get(url + "/pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    body, details = text.split("Details for checking")
    assert not RULE.search(text), RULE.search(text)
    assert not SHA_WORD.search(body) and not HASH.search(body.replace("\n", ""))
    assert sha in details.replace("\n", "")
    assert "(UTC)" in body  # the signing times name their zone


def test_a_partys_record_pdf_keeps_every_fingerprint_in_its_closing_details(
    rich_case: ActiveCast,
) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    from parley.cases.record import open_record
    from parley.cases.record_pdf import record_pdf_bytes
    from parley.documents.models import Document

    pdf = record_pdf_bytes(open_record(rich_case.bob, cid(rich_case)))
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    body, details = text.split("Details for checking")
    assert "quote.txt" in body
    assert not RULE.search(text), RULE.search(text)
    assert not SHA_WORD.search(body) and not HASH.search(body.replace("\n", ""))
    document = Document.objects.get(name="quote.txt", entry__room=rich_case.room("joint"))
    assert document.sha256 in details.replace("\n", "")
