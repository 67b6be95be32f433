"""Showing text people wrote so that it cannot pass for something else.

Unicode direction overrides (U+202E "right-to-left override" and kin) and zero-width characters
are invisible, yet they reorder or split what is displayed: "invoice\u202efdp.exe" shows as
"invoiceexe.pdf". Entry text keeps them (it is what was written) but is rendered isolated from
the page around it, with a note. (File names lose them when stored: documents.policy.clean_name.)"""

from __future__ import annotations

from django import template

register = template.Library()

# Bidirectional embeddings, overrides and isolates; marks; zero-width characters; BOM.
HIDDEN = frozenset(
    "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2066\u2067\u2068\u2069\ufeff"
)


@register.filter
def has_hidden_controls(text: str) -> bool:
    return any(ch in HIDDEN for ch in text)
