"""Multi-row inserts of many rows, the statement built once per shape rather than per value.

peewee's ``insert_many`` renders every value through its query builder: for an
import of a million rows that cost more than the database's own work. Here
the rows are plain tuples, already in the database's form, bound as
parameters of one ``INSERT … VALUES (…), (…)`` per chunk (the same SQL on
SQLite and PostgreSQL), optionally ``RETURNING`` the new ids in row order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from accord import database

MAX_PARAMETERS = 30_000  # under SQLite's 32,766; PostgreSQL's driver binds client-side


def insert(
    model: Any, columns: Sequence[str], rows: Sequence[tuple[Any, ...]], *, returning: bool = False
) -> list[int]:
    """Insert ``rows`` (tuples of ``columns``' database values); their new ids if ``returning``.

    Columns not named take their defaults.
    """
    if not rows:
        return []
    # The other columns' defaults (peewee's are Python-side), once for all the rows.
    defaults = {
        f.name: f.default() if callable(f.default) else f.default
        for f in model._meta.sorted_fields
        if f.name not in columns and f.default is not None and not f.primary_key
    }
    if defaults:
        columns = [*columns, *defaults]
        extra = tuple(model._meta.fields[name].db_value(v) for name, v in defaults.items())
        rows = [(*row, *extra) for row in rows]
    param = database.param
    table = model._meta.table_name
    names = ", ".join(f'"{model._meta.fields[c].column_name}"' for c in columns)
    one = "(" + ", ".join([param] * len(columns)) + ")"
    per_chunk = max(1, MAX_PARAMETERS // len(columns))
    ids: list[int] = []
    for start in range(0, len(rows), per_chunk):
        chunk = rows[start : start + per_chunk]
        sql = f'INSERT INTO "{table}" ({names}) VALUES ' + ", ".join([one] * len(chunk))
        if returning:
            sql += f' RETURNING "{model._meta.primary_key.column_name}"'
        values = [value for row in chunk for value in row]
        cursor = database.execute_sql(sql, values)
        if returning:
            ids += sorted(row[0] for row in cursor.fetchall())  # ids rise in the order of the rows
    return ids
