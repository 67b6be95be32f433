from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from parley.ops.backup import BackupError, make_backup


class Command(BaseCommand):
    help = (
        "Back up the database (online: SQLite backup API or pg_dump) and the stored documents "
        "into one .tar.gz. Safe while Parley is serving."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", nargs="?", help="archive to write (default: DATA_DIR/backups/<time>.tar.gz)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        if options["path"]:
            path = Path(options["path"])
        else:
            stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
            path = Path(settings.DATA_DIR) / "backups" / f"parley-{stamp}.tar.gz"
        try:
            manifest = make_backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Backed up {manifest.engine}: {manifest.cases} cases, {manifest.entries} entries, "
            f"{manifest.documents} document files -> {path}"
        )
