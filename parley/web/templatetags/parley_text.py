"""Showing text people wrote so that it cannot pass for something else.

Unicode direction overrides (U+202E "right-to-left override" and kin) and zero-width characters
are invisible, yet they reorder or split what is displayed: "invoice\u202efdp.exe" shows as
"invoiceexe.pdf". Entry text keeps them (it is what was written) but is rendered isolated from
the page around it, with a note. (File names lose them when stored: documents.policy.clean_name.)"""

from __future__ import annotations

import re

from django import template
from django.utils.html import urlize
from django.utils.safestring import SafeString, mark_safe

from parley import wording

register = template.Library()

# Bidirectional embeddings, overrides and isolates; marks; zero-width characters; BOM.
HIDDEN = frozenset(
    "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2066\u2067\u2068\u2069\ufeff"
)


@register.filter
def has_hidden_controls(text: str) -> bool:
    return any(ch in HIDDEN for ch in text)


_NOFOLLOW = re.compile(r' rel="nofollow">')


@register.filter(is_safe=True, needs_autoescape=True)
def safe_links(text: str, autoescape: bool = True) -> SafeString:
    """The text escaped, its web addresses (http, https, www.) and e-mail addresses made into
    links that open in a new tab and tell the site nothing about the page they came from.
    Django's urlize makes no other kind of link (no javascript:, no data:)."""
    linked = urlize(text, nofollow=True, autoescape=autoescape)
    return mark_safe(  # noqa: S308 - urlize escaped everything that is not its own <a> tag
        _NOFOLLOW.sub(' rel="nofollow noopener noreferrer" target="_blank">', linked)
    )


@register.filter
def in_sentence(word: str) -> str:
    return wording.in_sentence(word)


# `{{ me|you_are }}`, `{{ invitation|invited_as }}`: how a person takes part, as a sentence.
register.filter("you_are", wording.you_are)
register.filter("invited_as", wording.invited_as)
