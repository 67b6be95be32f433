"""The check the browser tests run on a Spanish or German reader's pages: it finds Parley's own
English (a msgid of the catalogues) left in a page's words, and nothing else."""

from __future__ import annotations

import pytest

from parley.web.tests.browser.i18n import _pattern, english_left, english_msgids, t

# What people typed, which stays as they wrote it whatever the reader's language.
TYPED = ["Alvarez v. Brightline", "Bob Brightline", "Sign out of this, my cases are many."]


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
