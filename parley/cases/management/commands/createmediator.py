from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from parley.accounts.models import User


class Command(BaseCommand):
    help = "Create (or enable) a mediator account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="")
        parser.add_argument("--password", help="default: asked for on the terminal")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        if "@" not in email:
            raise CommandError("Give a valid e-mail address.")
        user = User.objects.filter(email=email).first()
        if user is None:
            password = options["password"] or getpass.getpass("Password: ")
            try:
                validate_password(password, User(email=email, full_name=options["name"]))
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            user = User.objects.create_user(email, password, full_name=options["name"])
        user.can_mediate = True
        if options["name"]:
            user.full_name = options["name"]
        user.save(update_fields=["can_mediate", "full_name"])
        self.stdout.write(f"{email} can now mediate cases.")
