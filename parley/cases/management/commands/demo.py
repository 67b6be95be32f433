from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from parley.accounts.second_factor import totp_code
from parley.cases.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_demo


class Command(BaseCommand):
    help = "Seed a demo mediation with demo accounts (the only source of demo data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true")
        parser.add_argument(
            "--code",
            action="store_true",
            help="print the demo mediator's current authenticator code, and nothing else",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["code"]:
            self.stdout.write(totp_code(DEMO_TOTP_SECRET))
            return
        with transaction.atomic():
            case, created, people = seed_demo()
        if options["quiet"]:
            return
        self.stdout.write(
            ("Seeded" if created else "Already seeded:")
            + f" demo mediation #{case.pk} {case.title!r}."
        )
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for email, role in people:
            self.stdout.write(f"  {email:28} {role}")
        self.stdout.write(
            f"The demo mediator also signs in with an authenticator code (R11.2): add the "
            f"secret {DEMO_TOTP_SECRET} to an authenticator app, or run `parley demo --code`."
        )
