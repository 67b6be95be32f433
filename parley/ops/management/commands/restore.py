from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parley.ops.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a `parley backup` archive over the configured database and documents, then "
        "verify every case's audit chain. Stop `parley serve` and the workers first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument(
            "--yes", action="store_true", help="do not ask: replace the current data"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"No backup at {path}.")
        if not options["yes"]:
            answer = input("This replaces the current database and documents. Type 'restore': ")
            if answer.strip() != "restore":
                raise CommandError("Nothing was changed.")
        try:
            result = restore_backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        m = result.manifest
        self.stdout.write(
            f"Restored {m.engine} backup of {m.created_at}: {m.cases} cases, {m.entries} entries."
        )
        if result.problems:
            for problem in result.problems:
                self.stdout.write(f"  AUDIT CHAIN BROKEN: {problem}")
            raise CommandError(f"{len(result.problems)} case(s) failed audit verification.")
        self.stdout.write(f"Audit chains verified: {result.cases_verified} cases OK.")
