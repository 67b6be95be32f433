"""Each case has a currency (ISO 4217).

On SQLite a NOT NULL column is added by rebuilding cases_case, and SQLite refuses to rename the
rebuilt table while the roster triggers (0002) name it: they are dropped first and created again
after, the same statements as 0002's. PostgreSQL adds the column in place."""

from importlib import import_module
from typing import Any

from django.db import migrations, models

roster = import_module("parley.cases.migrations.0002_roster_version")


def drop_on_sqlite(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        roster.drop_triggers(apps, schema_editor)


def create_on_sqlite(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        roster.create_triggers(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_invitation_states'),
    ]

    operations = [
        migrations.RunPython(drop_on_sqlite, create_on_sqlite),
        migrations.AddField(
            model_name='case',
            name='currency',
            field=models.CharField(default='EUR', max_length=3),
        ),
        migrations.RunPython(create_on_sqlite, drop_on_sqlite),
    ]
