"""`parley dumpdata` without the mediation content (R1.3, R3.5, R11.3).

Django's dumpdata prints any table in clear to whoever runs it on the server. Parley's operator
sees no mediation content, so this command (which replaces Django's: Parley's apps come after
django.core in the command lookup) never dumps the apps that hold it: rooms (messages, notes,
statements), documents, negotiation (offers, ratings, sealed bids, settlements). Asked for one
of them it refuses; asked for everything it leaves them out and says so. Moving a whole server
is `parley backup` / `parley restore`; a participant takes their own record with the export."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.core.management.commands.dumpdata import Command as DjangoDumpdata

CONTENT_APPS = ("rooms", "documents", "negotiation")


class Command(DjangoDumpdata):
    help = (
        "Output the contents of the database as a fixture, except mediation content "
        f"(never the {', '.join(CONTENT_APPS)} apps: use `parley backup` or a participant's "
        "export)."
    )

    def handle(self, *app_labels: str, **options: Any) -> None:
        asked = [label for label in app_labels if label.split(".")[0] in CONTENT_APPS]
        if asked:
            raise CommandError(
                f"{', '.join(asked)}: mediation content is never dumped (the operator sees no "
                "content). Use `parley backup` to move a server; participants export their "
                "own record."
            )
        options["exclude"] = [*(options.get("exclude") or []), *CONTENT_APPS]
        if not app_labels:
            self.stderr.write(
                f"Mediation content ({', '.join(CONTENT_APPS)}) is left out of the dump."
            )
        super().handle(*app_labels, **options)
