from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

PARENT_CHECK_SECONDS = 1.0


def stop_when_parent_goes(parent: int) -> None:
    """Once `parent` is no longer this process's parent (it died, even by SIGKILL), stop
    as if told to: SIGINT lets huey finish the jobs it is running."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=watch, name="parley-parent-watch", daemon=True).start()


class Command(BaseCommand):
    help = (
        "Run the background-job consumer (e-mails, exports, reminders). Same as "
        "`parley run_huey`; run one or more next to `parley serve`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=None, help="worker threads")
        parser.add_argument(
            "--stop-with",
            type=int,
            default=None,
            metavar="PID",
            help="stop when the process PID (its parent: `parley serve`) is gone",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        extra: dict[str, Any] = {}
        if options["workers"]:
            extra["workers"] = options["workers"]
        if options["stop_with"]:
            stop_when_parent_goes(options["stop_with"])
        call_command("run_huey", **extra)
