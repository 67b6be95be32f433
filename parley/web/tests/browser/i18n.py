"""A person who reads Spanish or German: the words the tests look for on their pages, and a check
that nothing of Parley's own English is left there.

`t(text, lang)` is Django's translation of an English msgid, as the server renders it; it fails
when the catalogue has no translation for it, so a test never finds an element by English text
on a page that should not show any, and never by a Spanish or German string written into it.

`english_left(text, lang, typed)` lists the English msgids of Parley's catalogues (those whose
translation differs) found in a page's text, once the words people typed are taken out.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

PARLEY = Path(__file__).resolve().parents[3]
ENGLISH = ("en", "en-gb")

_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")
_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"[^\W\d_]+")
_SPACE = re.compile(r"[^\S\n]+")


@dataclass(frozen=True)
class Msgid:
    english: str  # the msgid, as a page shows it
    source: str  # the catalogues that have it, and the code that uses it
    pattern: re.Pattern[str]


def t(text: str, lang: str, *, context: str | None = None, **values: str) -> str:
    """The words a reader of `lang` sees for the English `text` (a msgid, markup and all), with
    `values` put into its placeholders. English (en, en-gb) is the msgid itself."""
    from django.utils import translation

    if lang in ENGLISH:
        words = text
    else:
        if (context, text) not in translations(lang):
            raise AssertionError(
                f"no {lang} translation of {text!r}"
                + (f" (context {context!r})" if context else "")
                + " in any catalogue (parley/locale, parley/*/locale): mark it and translate it"
            )
        with translation.override(lang):
            words = translation.pgettext(context, text) if context else translation.gettext(text)
        if words == text != translations(lang)[(context, text)]:
            raise AssertionError(
                f"{text!r} has a {lang} translation in its catalogue, but Django gives the "
                "English: its .mo is missing or stale (`make catalogues`), or a catalogue that "
                "comes first (an app earlier in INSTALLED_APPS) says the same in English"
            )
    # As the page shows it: the msgid's markup (<strong>, <bdi>) is no part of the text.
    words = html.unescape(_TAG.sub("", words))
    return words % values if values else words


@cache
def translations(lang: str) -> dict[tuple[str | None, str], str]:
    """Every translated, non-fuzzy entry of the project's `lang` catalogues:
    (context, msgid) -> msgstr. Plural entries give their singular form."""
    found: dict[tuple[str | None, str], str] = {}
    for _path, message in _messages(lang):
        if message.fuzzy:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if ids[0] and strings and strings[0]:
            found[(message.context, ids[0])] = strings[0]
    return found


def _messages(lang: str) -> Iterable[tuple[Path, Any]]:
    # Each app's catalogues, and the core modules' (parley/locale: errors, money, ...).
    paths = sorted(PARLEY.glob(f"*/locale/{lang}/LC_MESSAGES/*.po")) + sorted(
        PARLEY.glob(f"locale/{lang}/LC_MESSAGES/*.po")
    )
    if not paths:
        raise AssertionError(f"no {lang} catalogue under {PARLEY}/*/locale")
    for path in paths:
        with path.open("rb") as f:
            for message in read_po(f, locale=lang):
                if message.id:
                    yield path, message


def _visible(msgid: str) -> str:
    """A msgid as a page shows it: no tags, entities read, white space as one space."""
    return " ".join(html.unescape(_TAG.sub("", msgid)).split())


def _counts(literal: str) -> bool:
    """At least two words, or one word of four letters or more: shorter ones ("No", "OK",
    "min") are too likely to stand in a Spanish or German sentence by chance."""
    words = _WORD.findall(literal)
    return len(words) >= 2 or (len(words) == 1 and len(words[0]) >= 4)


def _pattern(visible: str) -> re.Pattern[str]:
    """Placeholders match anything on the same line; words match whole words only."""
    pieces = [p for p in _PLACEHOLDER.split(visible.replace("%%", "%"))]
    parts = [r"\s+".join(re.escape(w) for w in piece.split()) for piece in pieces]
    body = r"[^\n]*?".join(p for p in parts if p)
    literal = "".join(pieces).strip()
    start = r"(?<!\w)" if re.match(r"\w", literal) else ""
    end = r"(?!\w)" if re.search(r"\w$", literal) else ""
    return re.compile(start + body + end)


@cache
def english_msgids(lang: str) -> tuple[Msgid, ...]:
    """The English that should not be on a `lang` page: every msgid (and plural msgid) of the
    project's catalogues whose `lang` translation differs from it, long enough to count, and not
    made of words the translations themselves use (German keeps "Details", "Passkey", ...)."""
    sources: dict[str, list[str]] = {}
    translated_words: list[str] = []
    for path, message in _messages(lang):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        live = [s for s in strings if s] if not message.fuzzy else []
        translated_words.extend(_visible(s) for s in live)
        where = ", ".join(sorted({loc for loc, _ in message.locations})) or "?"
        context = f"context {message.context!r}, " if message.context else ""
        state = "fuzzy, " if message.fuzzy else "" if live else "untranslated, "
        source = f"{path.relative_to(PARLEY.parent)} ({state}{context}from {where})"
        for msgid in ids:
            visible = _visible(msgid)
            if not visible or visible in {_visible(s) for s in live}:
                continue
            if _counts(_PLACEHOLDER.sub(" ", visible)):
                sources.setdefault(visible, []).append(source)
    own = "\n".join(translated_words)
    found = (Msgid(v, "; ".join(where), _pattern(v)) for v, where in sources.items())
    return tuple(m for m in found if not m.pattern.search(own))


def english_left(text: str, lang: str, typed: Iterable[str] = ()) -> list[str]:
    """The English msgids found in `text` (a page's visible words) once every piece of `typed`
    (what people wrote: entries, names, the case title, file names) is taken out, each with
    the catalogue it comes from. An empty list is a page wholly in `lang`."""
    page = _SPACE.sub(" ", text)
    for words in sorted({_SPACE.sub(" ", w) for w in typed if w.strip()}, key=len, reverse=True):
        page = page.replace(words, "\n")
    return [
        f"{m.english!r} [{m.source}]: …{_around(page, found)}…"
        for m in english_msgids(lang)
        if (found := m.pattern.search(page))
    ]


def _around(page: str, found: re.Match[str]) -> str:
    return page[max(0, found.start() - 30) : found.end() + 30].replace("\n", " ⏎ ")


# What a reader meets on a page besides its text: its title, and the names, hints and labels
# that assistive technology reads out or that show in place.
_PAGE_WORDS = """() => {
    const words = [document.title, document.body.innerText];
    for (const el of document.querySelectorAll('[title], [aria-label], [placeholder]')) {
        for (const name of ['title', 'aria-label', 'placeholder']) {
            const value = el.getAttribute(name);
            if (value) words.push(value);
        }
    }
    for (const el of document.querySelectorAll(
            'input[type=submit], input[type=button], input[type=reset]')) {
        if (el.value) words.push(el.value);
    }
    return words.join('\\n');
}"""


def page_words(page: Any) -> str:
    """Everything a reader meets on `page` in words (a Playwright page), one piece a line."""
    words: str = page.evaluate(_PAGE_WORDS)
    return words


def assert_no_english(page: Any, lang: str, where: str, typed: Iterable[str] = ()) -> None:
    if lang in ENGLISH:
        return
    left = english_left(page_words(page), lang, typed)
    assert not left, f"English left on the {lang} {where} page ({page.url}):\n" + "\n".join(left)
