"""The check the browser tests run on a Spanish or German reader's pages: it finds Parley's own
English (a msgid of the catalogues) left in a page's words, and nothing else."""

from __future__ import annotations

import pytest

from parley.web.tests.browser.i18n import (
    _messages,
    _pattern,
    english_left,
    english_msgids,
    t,
)

# What people typed, which stays as they wrote it whatever the reader's language.
TYPED = ["Alvarez v. Brightline", "Bob Brightline", "Sign out of this, my cases are many."]


def parleys_words(lang: str) -> tuple[set[str], dict[tuple[str | None, str], set[str]]]:
    """The JavaScript's msgids (they reach the page through the JavaScript catalogue), and
    what Parley's other catalogues say for each msgid (two apps may word one differently)."""
    script: set[str] = set()
    said: dict[tuple[str | None, str], set[str]] = {}
    for path, m in _messages(lang):
        if path.name == "djangojs.po":
            script.add(m.id if isinstance(m.id, str) else m.id[0])
        elif isinstance(m.id, str) and m.string and not m.fuzzy:
            said.setdefault((m.context, m.id), set()).add(m.string)
    return script, said


def spanish_page(*english: str) -> str:
    """A page of Parley's words in Spanish, with the people's own words between them."""
    lines = [t(words, "es") for words in ("My cases", "E-mail address", "Password")]
    return "\n".join([*lines[:1], TYPED[0], *lines[1:], TYPED[1], TYPED[2], *english])


def test_a_clean_spanish_page_passes() -> None:
    assert english_left(spanish_page(), "es", TYPED) == []


def test_it_finds_an_english_string_planted_in_a_spanish_page() -> None:
    found = english_left(spanish_page("Sign out"), "es", TYPED)
    assert found, "the planted English was not found"
    assert any(
        f.startswith("'Sign out' [parley/web/locale/es/LC_MESSAGES/django.po") for f in found
    )


def test_what_people_typed_is_not_checked_but_what_stands_around_it_is() -> None:
    assert english_left(spanish_page(), "es", []) != []
    page = spanish_page(f"{TYPED[1]} · Forgot your password?")
    assert "'Forgot your password?'" in [f.split(" [")[0] for f in english_left(page, "es", TYPED)]


def test_a_placeholder_stands_for_any_words_on_the_same_line() -> None:
    shared = _pattern("Shared by %(mediator)s from %(room)s; written by %(author)s.")
    assert shared.search("Shared by Maya Mediator from Alice's caucus; written by Alice.")
    assert not shared.search("Shared by Maya Mediator\nfrom Alice's caucus; written by Alice.")
    assert _pattern("%(count)s new entries").search("Hay 3 new entries aquí")


def test_a_word_counts_only_whole() -> None:
    assert not _pattern("Post").search("Postfach")
    assert _pattern("Post").search("Senden\nPost\nAbbrechen")


@pytest.mark.parametrize("lang", ["es", "de"])
def test_short_words_and_words_the_translations_use_are_not_counted_as_english(
    lang: str,
) -> None:
    msgids = {m.english for m in english_msgids(lang)}
    assert msgids, f"no {lang} msgids"
    assert all(len(m.replace(" ", "")) >= 4 for m in msgids)
    assert "Sign out" in msgids


def test_t_fails_on_a_text_with_no_translation() -> None:
    assert t("Sign out", "en") == "Sign out"
    assert t("Sign out", "es") != "Sign out"
    with pytest.raises(AssertionError, match="no es translation of 'Signed out of nowhere'"):
        t("Signed out of nowhere", "es")


@pytest.mark.parametrize("lang", ["es", "de"])
def test_django_gives_parleys_own_translation_of_every_msgid(lang: str) -> None:
    """A library's catalogue loaded before Parley's must not hide Parley's words (German
    "Sessions" once came out as django.contrib.sessions' "Sessions")."""
    from django.utils import translation

    script, said = parleys_words(lang)
    hidden = []
    with translation.override(lang):
        for (context, msgid), ours in said.items():
            if msgid in script:
                continue
            got = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
            if got not in ours:
                hidden.append(f"{msgid!r}: Django gives {got!r}, Parley says {sorted(ours)}")
    assert hidden == []
