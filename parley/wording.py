"""How a label (a role, a kind of session, a state) stands inside a sentence, per language."""

from __future__ import annotations

from django.utils import translation


def in_sentence(word: object) -> str:
    """Lower case, except in German, where nouns keep their capital ("You are party" / "Sie
    sind Partei")."""
    if (translation.get_language() or "").startswith("de"):
        return str(word)
    return str(word).lower()
