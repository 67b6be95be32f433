"""The words Parley itself writes into rooms (notices, offer headings, terms), stored so that
each reader reads them in their own language.

Such an entry's body keeps the English message ids and their parameters (names, sums, a
person's own statement), not sentences; it is put into words when it is read, in the reader's
language. A body that is not in this form (written by a person, or stored before languages)
reads as it was written. Only bodies of the kinds in WORDED_KINDS are ever read this way, so a
person's message can never pass for one.

Build a body with `stored(...)` from parts: a plain string is kept as it is (a person's words, a
line break), `words(msgid, **params)` is a message translated on reading (mark its msgid with
gettext_noop), and `money(amount, currency)` a sum written the reader's way."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from parley.money import format_money

WORDED_KINDS = frozenset({"system", "offer", "proposal"})
_KEY = "parley-words"
_MARK = '{"' + _KEY + '": '

Part = str | dict[str, Any] | list[Any]


def words(msgid: str, **params: Part) -> dict[str, Any]:
    return {"m": msgid, "p": params} if params else {"m": msgid}


def label(choice: Any) -> dict[str, Any]:
    """A choice's label (a TextChoices member), read in the reader's language."""
    with translation.override(None):
        return words(str(choice.label))


def money(amount: Decimal, currency: str) -> dict[str, Any]:
    return {"money": f"{amount:f}", "currency": currency}


def lines(items: list[Part], *, bullet: str = "- ") -> list[Part]:
    """Items one per line, each after `bullet`."""
    out: list[Part] = []
    for i, item in enumerate(items):
        out += (["\n"] if i else []) + [bullet, item]
    return out


def stored(*parts: Part) -> str:
    return json.dumps({_KEY: 1, "parts": list(parts)}, ensure_ascii=False, sort_keys=True)


def is_worded(kind: str, body: str) -> bool:
    return kind in WORDED_KINDS and body.startswith(_MARK)


def render(kind: str, body: str) -> str:
    """The body as the active language reads it."""
    if not is_worded(kind, body):
        return body
    try:
        parts = json.loads(body)["parts"]
    except (ValueError, KeyError, TypeError):
        return body
    return _render(parts)


def say(part: Part) -> str:
    """One part in the active language (for the places that show it outside a room)."""
    return _render(part)


def _render(part: Any) -> str:
    if isinstance(part, str):
        return part
    if isinstance(part, list):
        return "".join(_render(p) for p in part)
    if isinstance(part, dict) and "money" in part:
        return format_money(Decimal(part["money"]), part["currency"])
    if isinstance(part, dict) and "m" in part:
        text = gettext(part["m"])
        params = part.get("p")
        return text % {k: _render(v) for k, v in params.items()} if params else text
    return ""
