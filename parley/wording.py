"""How a label (a role, a kind of session, a state) stands inside a sentence, per language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from django.utils import translation
from django.utils.translation import gettext_lazy

from parley.cases.policy import Role


def in_sentence(word: object) -> str:
    """Lower case, except in German, where nouns keep their capital ("as party" / "als
    Partei")."""
    if (translation.get_language() or "").startswith("de"):
        return str(word)
    return str(word).lower()


# The line under a case's title that tells a person how they take part: one whole sentence per
# role, so each language can word it properly ("You are counsel for ...", "Sie vertreten ...
# als Rechtsbeistand").
_FOR_SIDE = {
    Role.PARTY: gettext_lazy("You are a party, on the side of %(side)s"),
    Role.COUNSEL: gettext_lazy("You are counsel for %(side)s"),
    Role.SUPPORT: gettext_lazy("You are a support person for %(side)s"),
}
_ALONE = {
    Role.MEDIATOR: gettext_lazy("You are the mediator"),
    Role.OBSERVER: gettext_lazy("You are an observer"),
    Role.PARTY: gettext_lazy("You are a party"),
    Role.COUNSEL: gettext_lazy("You are counsel"),
    Role.SUPPORT: gettext_lazy("You are a support person"),
}


# The invitation (its page and its e-mail) says the same in the future tense of an invitation.
_INVITED_FOR_SIDE = {
    Role.PARTY: gettext_lazy("You are invited to take part as a party, on the side of %(side)s."),
    Role.COUNSEL: gettext_lazy("You are invited to take part as counsel for %(side)s."),
    Role.SUPPORT: gettext_lazy("You are invited to take part as a support person for %(side)s."),
}
_INVITED_ALONE = {
    Role.MEDIATOR: gettext_lazy("You are invited to take part as a mediator."),
    Role.OBSERVER: gettext_lazy("You are invited to observe the mediation."),
    Role.PARTY: gettext_lazy("You are invited to take part as a party."),
    Role.COUNSEL: gettext_lazy("You are invited to take part as counsel."),
    Role.SUPPORT: gettext_lazy("You are invited to take part as a support person."),
}


class Labelled(Protocol):
    @property
    def label(self) -> str: ...


class TakesPart(Protocol):
    """A participant or an invitation: a role, and the side it is on, if any."""

    role: str

    @property
    def side(self) -> Labelled | None: ...


def _sentence(
    for_side: Mapping[Role, object], alone: Mapping[Role, object], person: TakesPart
) -> str:
    side = person.side
    if side is not None and person.role in for_side:
        return str(for_side[Role(person.role)]) % {"side": side.label}
    return str(alone[Role(person.role)])


def you_are(person: TakesPart) -> str:
    return _sentence(_FOR_SIDE, _ALONE, person)


def invited_as(invitation: TakesPart) -> str:
    return _sentence(_INVITED_FOR_SIDE, _INVITED_ALONE, invitation)
