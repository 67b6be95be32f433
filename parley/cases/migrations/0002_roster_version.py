"""The roster version: a random token per case that the database itself replaces whenever
anything the access policy reads about the case changes (see parley/cases/roster.py)."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

# (table, a query for the ids of the cases a changed row belongs to, in terms of the row's alias:
# NEW or OLD). Bumps go through cases_case, so a row whose case is gone (a cascade) bumps nothing.
ROSTER_TABLES: list[tuple[str, str]] = [
    ("cases_participant", "SELECT {row}.case_id"),
    ("cases_side", "SELECT {row}.case_id"),
    ("cases_invitation", "SELECT {row}.case_id"),
    ("rooms_room", "SELECT {row}.case_id"),
    ("agreements_agreement", "SELECT {row}.case_id"),
    ("agreements_conflictdisclosure", "SELECT {row}.case_id"),
    ("agreements_signature", "SELECT case_id FROM agreements_agreement WHERE id = {row}.agreement_id"),
    (
        "agreements_disclosureacknowledgement",
        "SELECT case_id FROM agreements_conflictdisclosure WHERE id = {row}.disclosure_id",
    ),
    # The context carries each participant's user; a user row changes rarely (a sign-in).
    ("accounts_user", "SELECT case_id FROM cases_participant WHERE user_id = {row}.id"),
]

SQLITE_TOKEN = "lower(hex(randomblob(16)))"
POSTGRES_TOKEN = "md5(random()::text || clock_timestamp()::text)"


def sqlite_statements(table: str, cases: str) -> list[str]:
    out = []
    for event, rows in (("INSERT", ["NEW"]), ("UPDATE", ["OLD", "NEW"]), ("DELETE", ["OLD"])):
        bumps = " ".join(
            f"INSERT INTO cases_rosterversion (case_id, token) "
            f"SELECT id, {SQLITE_TOKEN} FROM cases_case WHERE id IN ({cases.format(row=row)}) "
            f"ON CONFLICT (case_id) DO UPDATE SET token = excluded.token;"
            for row in rows
        )
        out.append(
            f"CREATE TRIGGER parley_roster_{table}_{event.lower()} AFTER {event} ON {table} "
            f"FOR EACH ROW BEGIN {bumps} END"
        )
    return out


def postgres_statements(table: str, cases: str) -> list[str]:
    function = f"parley_roster_{table}"
    bump = (
        "INSERT INTO cases_rosterversion (case_id, token) "
        "SELECT id, {token} FROM cases_case WHERE id IN ({cases}) "
        "ON CONFLICT (case_id) DO UPDATE SET token = EXCLUDED.token;"
    )
    return [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {bump.format(token=POSTGRES_TOKEN, cases=cases.format(row="OLD"))}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {bump.format(token=POSTGRES_TOKEN, cases=cases.format(row="NEW"))}
    END IF;
    RETURN NULL;
END $$""",
        f"CREATE TRIGGER {function} AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
    ]


def create_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for table, cases in ROSTER_TABLES:
        if vendor == "sqlite":
            statements = sqlite_statements(table, cases)
        elif vendor == "postgresql":
            statements = postgres_statements(table, cases)
        else:
            raise RuntimeError(f"no roster triggers for {vendor}")
        for sql in statements:
            schema_editor.execute(sql)


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for table, _ in ROSTER_TABLES:
        if vendor == "sqlite":
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS parley_roster_{table}_{event}")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS parley_roster_{table} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS parley_roster_{table}()")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("agreements", "0001_initial"),
        ("rooms", "0001_initial"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="RosterVersion",
            fields=[
                (
                    "case",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="cases.case",
                    ),
                ),
                ("token", models.CharField(max_length=32)),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
