"""The case's chain head (cases_case.audit_head, audit_count) is set by the database as each
event is inserted, in the same statement: no code path can append an event and leave the head
behind, and a post sends one statement fewer."""

from __future__ import annotations

from typing import Any

from django.db import migrations

SQLITE = (
    "CREATE TRIGGER parley_audit_head AFTER INSERT ON audit_auditevent FOR EACH ROW BEGIN "
    "UPDATE cases_case SET audit_head = NEW.hash, audit_count = NEW.seq "
    "WHERE id = NEW.case_id; END"
)
POSTGRES = [
    """CREATE OR REPLACE FUNCTION parley_audit_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cases_case SET audit_head = NEW.hash, audit_count = NEW.seq WHERE id = NEW.case_id;
    RETURN NULL;
END $$""",
    "CREATE TRIGGER parley_audit_head AFTER INSERT ON audit_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION parley_audit_head()",
]


def create_trigger(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE)
    elif vendor == "postgresql":
        for sql in POSTGRES:
            schema_editor.execute(sql)
    else:
        raise RuntimeError(f"no audit head trigger for {vendor}")


def drop_trigger(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS parley_audit_head")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS parley_audit_head ON audit_auditevent")
        schema_editor.execute("DROP FUNCTION IF EXISTS parley_audit_head()")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_commitments"),
        ("cases", "0007_name_corrections"),
    ]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
