"""The `parley` command: Django's management commands plus Parley's own (serve, demo,
createmediator, audit, report)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["parley", *argv])
    args[0] = "parley"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
