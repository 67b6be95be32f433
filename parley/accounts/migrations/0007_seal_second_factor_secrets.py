"""R11.3: authenticator-app keys and recovery-code seeds stored before they were sealed are sealed
under the master key (parley.vault.crypto's format, shared with the code)."""

from typing import Any

from django.conf import settings
from django.db import migrations

from parley.vault import crypto

PURPOSE = "account-second-factor"  # parley.vault.keys.ACCOUNT_PURPOSE
FIELDS = ("secret", "seed")


def seal_existing(apps: Any, schema_editor: Any) -> None:
    Authenticator = apps.get_model("mfa", "Authenticator")
    master = settings.PARLEY_MASTER_KEY
    for authenticator in Authenticator.objects.all():
        data = dict(authenticator.data)
        plain = [
            f for f in FIELDS if isinstance(data.get(f), str) and not crypto.is_sealed_secret(data[f])
        ]
        if not plain:
            continue
        for name in plain:
            data[name] = crypto.seal_secret(master, PURPOSE, data[name])
        authenticator.data = data
        authenticator.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_mediator_application"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(seal_existing, migrations.RunPython.noop)]
