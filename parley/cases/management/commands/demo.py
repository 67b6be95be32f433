from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from parley.cases.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Seed a demo mediation with demo accounts (the only source of demo data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
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
