from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parley.cases.models import Case
from parley.cases.record import report_for_case


class Command(BaseCommand):
    help = (
        "Print a case's §7 report (fixed fields only: no content) as JSON. The operator is no "
        "participant: with results_confidential, whether it settled is withheld (null)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("case", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        case = Case.objects.filter(pk=options["case"]).first()
        if case is None:
            raise CommandError(f"No case {options['case']}.")
        self.stdout.write(json.dumps(asdict(report_for_case(case, reader_signed=None)), indent=2))
