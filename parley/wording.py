"""How a label (a role, a kind of session, a state) stands inside a sentence, per language."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from parley.cases.policy import Role


def in_sentence(word: object) -> str:
    """Lower case, except in German, where nouns keep their capital ("as party" / "als
    Partei")."""
    if (translation.get_language() or "").startswith("de"):
        return str(word)
    return str(word).lower()


def you_are(role: str, side: str | None) -> str:
    """The line under a case's title that tells a person how they take part: one whole
    sentence per role, so each language can word it properly ("You are counsel for ...",
    "Sie vertreten ... als Rechtsbeistand")."""
    if side:
        if role == Role.PARTY:
            return _("You are a party, on the side of %(side)s") % {"side": side}
        if role == Role.COUNSEL:
            return _("You are counsel for %(side)s") % {"side": side}
        if role == Role.SUPPORT:
            return _("You are a support person for %(side)s") % {"side": side}
    if role == Role.MEDIATOR:
        return _("You are the mediator")
    if role == Role.OBSERVER:
        return _("You are an observer")
    if role == Role.PARTY:
        return _("You are a party")
    if role == Role.COUNSEL:
        return _("You are counsel")
    return _("You are a support person")
