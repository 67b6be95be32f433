"""INSERT for the hot write path, with the statement built once per model.

`Model.objects.create()` compiles its INSERT anew on every call, which measured at about a third
of a post's cost. `insert()` prepares each value exactly as `save()` does (`pre_save` for
defaults and auto fields, then `get_db_prep_save`), runs a statement cached per model and
database vendor, and sets the primary key. It sends no `pre_save`/`post_save` signals: use it only
for models nothing listens to (the entry, instruction and audit tables).
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import connections
from django.db.models import AutoField, BigAutoField, Field, Model, SmallAutoField

_lock = threading.Lock()
_statements: dict[tuple[type[Model], str, str], tuple[str, list[Field[Any, Any]], bool]] = {}

AUTO_FIELDS = (AutoField, BigAutoField, SmallAutoField)


def _statement(
    model: type[Model], alias: str, on_conflict: str
) -> tuple[str, list[Field[Any, Any]], bool]:
    connection = connections[alias]
    key = (model, connection.vendor, on_conflict)
    with _lock:
        found = _statements.get(key)
    if found is not None:
        return found
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if not isinstance(f, AUTO_FIELDS)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    if on_conflict:
        sql += f" {on_conflict}"
    returning = bool(connection.features.can_return_columns_from_insert)
    if returning:
        assert meta.pk is not None
        sql += f" RETURNING {quote(str(meta.pk.column))}"
    built = (sql, list(fields), returning)
    with _lock:
        _statements[key] = built
    return built


def insert(obj: Model, *, alias: str = "default", on_conflict: str = "") -> bool:
    """Precondition: `obj` is new (no primary key yet) and its model has no save signals in
    use. Django documents `Model._state` (adding, db): set here as save() sets it.

    `on_conflict`: an `ON CONFLICT (...) DO NOTHING` clause (the same on SQLite and
    PostgreSQL). A row it skips is not stored: `obj` stays unsaved and the answer is False."""
    assert obj._state.adding and obj.pk is None, "insert() only adds new rows"
    connection = connections[alias]
    sql, fields, returning = _statement(type(obj), alias, on_conflict)
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection=connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if returning:
            row = cursor.fetchone()
            if row is None:
                return False
            obj.pk = row[0]
        else:
            if cursor.rowcount == 0:
                return False
            obj.pk = cursor.lastrowid
    obj._state.adding = False
    obj._state.db = alias
    return True
