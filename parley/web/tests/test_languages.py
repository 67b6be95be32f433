"""R11.1: a party whose language is Spanish or German reads every page of a mediation in it.

The pages are read as text (what is shown, plus the labels a screen reader speaks) and any
sentence still in English is reported. Content people typed is in the pages too, so the cast
writes in the reader's language; words that come from other apps (rooms, agreements,
negotiation, ...) translate in their own catalogues and are told apart by their source."""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

from parley.accounts.models import User
from parley.cases.actions import do_invite, do_terminate
from parley.cases.policy import Role
from parley.meetings.tests.helpers import Capture
from parley.rooms.actions import do_post_entry, do_share_entry
from parley.rooms.policy import Instruction
from parley.testing import ActiveCast, Cast, build_case, cid

PARLEY = Path(__file__).resolve().parents[2]
# Apps whose visible words this file answers for; every other app answers for its own.
OURS = ("web", "accounts", "ops")
# Words English sentences cannot do without, and that neither Spanish nor German uses.
ENGLISH = re.compile(r"\b(the|you|your|is|are|and|of|to|this|with|what|who|here|has|have)\b")
TYPED = {"es": "Propongo pagar la mitad.", "de": "Ich schlage vor, die Hälfte zu zahlen."}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        self.parts += [v for k, v in attrs if k in ("aria-label", "title", "alt") and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.parts.append(" ".join(data.split()))


@cache
def _other_apps_source() -> str:
    """The text of every other app's templates and modules, whitespace folded."""
    files = [
        path
        for app in PARLEY.iterdir()
        if app.is_dir() and app.name not in OURS
        for path in app.rglob("*")
        if path.suffix in (".py", ".html", ".txt") and "tests" not in path.parts
    ]
    return " ".join(" ".join(p.read_text(encoding="utf-8").split()) for p in files)


def _from_another_app(text: str) -> bool:
    """Whether four words in a row of `text` (all of it, if shorter) are written in another
    app's code."""
    words = text.split()
    n = min(4, len(words))
    return any(
        " ".join(words[i : i + n]) in _other_apps_source() for i in range(len(words) - n + 1)
    )


def english_left(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return [p for p in parser.parts if ENGLISH.search(p) and not _from_another_app(p)]


def pages_of(cast: ActiveCast) -> list[str]:
    c = cid(cast)
    pages = ["/", "/account/", "/help/words/", "/account/tokens/", "/calendar/"]
    pages += [f"/cases/{c}/{page}" for page in ("", "guide/", "end/", "sign/", "negotiate/")]
    pages += [f"/cases/{c}/{page}" for page in ("record/", "sessions/")]
    pages += [f"/cases/{c}/rooms/{cast.room(name).pk}/" for name in ("joint", "caucus_a")]
    pages += [f"/cases/{c}/rooms/{cast.room('counsel_a').pk}/"]
    return pages


@pytest.mark.parametrize("language", ["es", "de"])
def test_r11_1_a_party_reads_the_whole_mediation_in_their_language(
    cast: Cast, language: str
) -> None:
    cast = build_case(cast)
    User.objects.filter(pk__in=[cast.alice.pk, cast.maya.pk]).update(language=language)
    c = cid(cast)
    entry = do_post_entry(
        acting_user=cast.alice,
        case_id=c,
        room_id=cast.room("caucus_a").pk,
        body=TYPED[language],
        instruction=Instruction.MAY_DISCLOSE,
    )
    do_share_entry(
        acting_user=cast.maya, case_id=c, entry_id=entry.pk, target_room_id=cast.room("joint").pk
    )
    alice = Client()
    alice.force_login(cast.alice)
    found = {}
    for stage in ("active", "ended"):
        if stage == "ended":
            do_terminate(acting_user=cast.alice, case_id=c, statement=TYPED[language])
        for page in pages_of(cast):
            response = alice.get(page, follow=True)
            assert response.status_code == 200, page
            left = english_left(response.content.decode())
            if left:
                found[f"{stage} {page}"] = left
    assert not found, found


@pytest.mark.parametrize("language", ["es", "de"])
def test_r11_1_someone_invited_reads_the_invitation_and_sign_in_in_their_language(
    cast: Cast, language: str, django_capture_on_commit_callbacks: Capture
) -> None:
    cast = build_case(cast, stage="setup")
    with django_capture_on_commit_callbacks(execute=True):
        _, token = do_invite(
            acting_user=cast.maya,
            case_id=cid(cast),
            email="dora@example.com",
            display_name="Dora",
            role=Role.OBSERVER,
        )
    assert mail.outbox
    browser = Client(HTTP_ACCEPT_LANGUAGE=language)
    found = {}
    for page in (f"/invitations/{token}/", "/login/", "/accounts/signup/", "/nowhere/"):
        left = english_left(browser.get(page).content.decode())
        if left:
            found[page] = left
    assert not found, found
