"""Django's makemessages, with msgmerge told not to guess: a new string gets an empty
translation (which the catalogue test reports) rather than a "fuzzy" near-match from another
string, which Babel would then compile as if it were right."""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
