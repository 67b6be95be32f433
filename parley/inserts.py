"""INSERT for the hot write path, with the statement built once per model.

`Model.objects.create()` compiles its INSERT anew on every call, which measured at about a third
of a post's cost. `insert()` prepares each value exactly as `save()` does (`pre_save` for
defaults and auto fields, then `get_db_prep_save`), runs a statement cached per model and
database vendor, and sets the primary key. It sends no `pre_save`/`post_save` signals: use it only
for models nothing listens to (the entry, instruction and audit tables).

On PostgreSQL the post path also runs in pipeline mode (`pipelined()`): its statements travel
together and the server runs them in order, so a post's eight statements go out in two batches
(lock, key check and ids; then the writes and the COMMIT), with the case lock held across one
round trip. For that its rows get their ids up front (`reserve_ids_sql()`, sent after the lock),
and their INSERTs then need no answer."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections
from django.db.models import AutoField, BigAutoField, Field, Model, SmallAutoField

_lock = threading.Lock()
_statements: dict[tuple[type[Model], str, bool], tuple[str, list[Field[Any, Any]], bool]] = {}
_sequences: dict[type[Model], str] = {}

AUTO_FIELDS = (AutoField, BigAutoField, SmallAutoField)


def _statement(
    model: type[Model], alias: str, with_pk: bool
) -> tuple[str, list[Field[Any, Any]], bool]:
    connection = connections[alias]
    key = (model, connection.vendor, with_pk)
    with _lock:
        found = _statements.get(key)
    if found is not None:
        return found
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if with_pk or not isinstance(f, AUTO_FIELDS)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    returning = not with_pk and bool(connection.features.can_return_columns_from_insert)
    if returning:
        assert meta.pk is not None
        sql += f" RETURNING {quote(str(meta.pk.column))}"
    built = (sql, list(fields), returning)
    with _lock:
        _statements[key] = built
    return built


def insert(obj: Model, *, alias: str = "default") -> None:
    """Precondition: `obj` is new and its model has no save signals in use. Its primary key is
    either unset (the database assigns one) or an id from reserve_ids_sql()."""
    assert obj._state.adding, "insert() only adds new rows"
    connection = connections[alias]
    with_pk = obj.pk is not None
    sql, fields, returning = _statement(type(obj), alias, with_pk)
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection=connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if not with_pk:
            obj.pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    obj._state.adding = False
    obj._state.db = alias


def reserves_ids(alias: str = "default") -> bool:
    return connections[alias].vendor == "postgresql"


def _sequence(model: type[Model], alias: str) -> str:
    with _lock:
        found = _sequences.get(model)
    if found is not None:
        return found
    meta = model._meta
    assert meta.pk is not None
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, meta.pk.column])
        name = cursor.fetchone()[0]
    with _lock:
        _sequences[model] = name
    return str(name)


def reserve_ids_sql(models: list[type[Model]], alias: str = "default") -> tuple[str, list[str]]:
    """PostgreSQL only: one statement that takes the next id of each model's sequence, in
    order. Run it after taking the lock that orders the rows (see cases/roster.py)."""
    assert reserves_ids(alias)
    names = [_sequence(m, alias) for m in models]
    return "SELECT " + ", ".join(["nextval(%s::regclass)"] * len(names)), names


@contextmanager
def pipelined(alias: str = "default") -> Iterator[None]:
    """On PostgreSQL, statements inside run in psycopg's pipeline mode: sent without waiting,
    run by the server in order, answered when a result is fetched or at commit. Elsewhere a
    no-op. Database errors surface as Django's, as they do outside."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.wrap_database_errors:
        connection.ensure_connection()
        with connection.connection.pipeline():
            yield
