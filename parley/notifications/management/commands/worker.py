from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Run the background-job consumer (e-mails, exports, reminders). Same as "
        "`parley run_huey`; run one or more next to `parley serve`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=None, help="worker threads")

    def handle(self, *args: Any, **options: Any) -> None:
        extra: dict[str, Any] = {}
        if options["workers"]:
            extra["workers"] = options["workers"]
        call_command("run_huey", **extra)
