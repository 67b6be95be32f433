"""`parley keys where|rotate`: the master key that wraps every case key (R11.3)."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from parley.accounts.second_factor import reseal_secrets
from parley.vault import crypto, keys


class Command(BaseCommand):
    help = "Where the master key is; re-wrap every case key under a new master key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("where", help="Say where the master key comes from (never the key).")
        rotate = sub.add_parser(
            "rotate",
            help="Re-wrap every case key under a new master key (content is not re-encrypted).",
        )
        rotate.add_argument(
            "new_key_file",
            help="The new master key file; created (mode 0600) with a fresh key if missing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "where":
            self.stdout.write(
                f"Master key: {settings.PARLEY_MASTER_KEY_SOURCE} "
                f"(id {crypto.key_id(keys.master())}). Keep it out of the data folder and out of "
                "every backup of it; without it no content can be read."
            )
            return
        path = Path(options["new_key_file"])
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
        try:
            new = base64.b64decode(path.read_text().strip(), validate=True)
        except ValueError:
            raise CommandError(f"{path} does not hold a base64 key") from None
        if len(new) != 32:
            raise CommandError(f"{path} must hold 32 bytes in base64")
        old = keys.master()
        with transaction.atomic():
            count = keys.rotate(new)
            secrets_count = reseal_secrets(old, new)
        self.stdout.write(
            f"Re-wrapped {count} case keys and re-sealed {secrets_count} second factors under "
            f"master key {crypto.key_id(new)}. Now set "
            f"PARLEY_MASTER_KEY_FILE={path} for every Parley process and restart them; then "
            "destroy the old key."
        )
