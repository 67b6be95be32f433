"""Every limit on what people type, in one place, read from the settings.

The API's schemas, the socket's reader and the forms refuse input over `text_chars()` before
anything else looks at it; the actions then apply the limit that belongs to the kind of text
(`clean_text`), so a limit holds whichever way the text arrived.

* `entry_chars()`: an entry, a termination statement, a conflict disclosure
  (PARLEY_MAX_ENTRY_CHARS, 20,000 by default).
* `text_chars()`: the longest text any field accepts, an agreement or a settlement
  (PARLEY_MAX_TEXT_CHARS, 100,000 by default).
* `NOTE_CHARS`: a note on an offer. `CLIENT_KEY_CHARS`: an idempotency key (its column's width).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.formats import number_format
from django.utils.translation import gettext

from parley.errors import BadInput

CLIENT_KEY_CHARS = 64
NOTE_CHARS = 2000


def entry_chars() -> int:
    return int(settings.PARLEY_MAX_ENTRY_CHARS)


def text_chars() -> int:
    return int(settings.PARLEY_MAX_TEXT_CHARS)


def _count(number: int) -> str:
    """20,000 in English, 20.000 in German and Spanish."""
    return number_format(number, force_grouping=True)


def clean_text(body: str, *, limit: int | None = None) -> str:
    """Bad input is a 4xx: empty, over `limit` (entry_chars() unless given) once stripped, or
    holding NUL (PostgreSQL text cannot)."""
    limit = limit or entry_chars()
    if "\x00" in body:
        raise BadInput(
            "bad_characters", gettext("The text holds a NUL character, which is not allowed.")
        )
    body = body.strip()
    if not body:
        raise BadInput("empty_text", gettext("Write something first."))
    if len(body) > limit:
        raise BadInput(
            "too_long",
            gettext("This text may be at most %(limit)s characters.") % {"limit": _count(limit)},
        )
    return body


def check_text_size(value: object, *, code: str) -> str:
    """The pre-limit, for input that did not come through a schema or a form (the socket)."""
    if not isinstance(value, str) or len(value) > text_chars():
        raise BadInput(
            code,
            gettext("The message must be text of at most %(limit)s characters.")
            % {"limit": _count(text_chars())},
        )
    return value


def check_client_key(key: object) -> str:
    if not isinstance(key, str) or len(key) > CLIENT_KEY_CHARS or "\x00" in key:
        raise BadInput(
            "bad_client_key",
            gettext("The idempotency key is at most %(limit)s characters.")
            % {"limit": CLIENT_KEY_CHARS},
        )
    return key


def template_limits(request: HttpRequest) -> dict[str, Any]:
    """For the pages' maxlength attributes and hints (a context processor)."""
    return {"limits": {"entry": entry_chars(), "text": text_chars(), "note": NOTE_CHARS}}
