from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parley.audit.actions import verify_case
from parley.cases.models import Case


class Command(BaseCommand):
    help = "Audit-log tools. `parley audit verify CASE` recomputes a case's hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])
        parser.add_argument("case", help="case id, or 'all'")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["case"] == "all":
            cases = list(Case.objects.order_by("pk"))
        else:
            try:
                cases = [Case.objects.get(pk=int(options["case"]))]
            except (ValueError, Case.DoesNotExist):
                raise CommandError(f"No case {options['case']!r}.") from None
        failed = 0
        for case in cases:
            verdict = verify_case(case)
            if verdict.ok:
                self.stdout.write(
                    f"case {case.pk}: OK, {verdict.events} events, head {case.audit_head}"
                )
            else:
                failed += 1
                self.stdout.write(f"case {case.pk}: TAMPERED: {verdict.problem}")
        if failed:
            raise CommandError(f"{failed} case(s) failed verification.")
