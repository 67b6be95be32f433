from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parley.accounts.actions import do_reset_second_factor
from parley.accounts.models import User
from parley.errors import DomainError


class Command(BaseCommand):
    help = (
        "Remove a person's second factor (they lost it). Recorded with the operator and the "
        "reason; the person is told by mail and signed out everywhere."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--operator", required=True, help="your own (staff) account's e-mail")
        parser.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        operator = User.objects.filter(email__iexact=options["operator"], is_staff=True).first()
        if operator is None:
            raise CommandError("--operator must be the e-mail of a staff (operator) account.")
        user = User.objects.filter(email__iexact=options["email"]).first()
        if user is None:
            raise CommandError("No account has that address.")
        try:
            do_reset_second_factor(acting_user=operator, user_id=user.pk, reason=options["reason"])
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        self.stdout.write(f"The second factor of {user.email} is reset (recorded).")
