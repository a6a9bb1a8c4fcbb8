"""Keyset pagination: an opaque cursor and the query that continues from it.

Pages are ordered by (sort field, primary key) and continue from the last
row seen, never with OFFSET and never with a COUNT: page 1,000 costs what
page 1 costs, and a row added meanwhile neither repeats nor skips one.
NULLs sort last going forward, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import binascii
import decimal
import json
from dataclasses import dataclass
from typing import Any

import peewee

from ..inputs import integer

_TEMPORAL = (peewee.DateTimeField, peewee.DateField, peewee.TimeField)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    # str() of a datetime is the format peewee's python_value() parses back.
    return str(value)


@dataclass(frozen=True, eq=False)  # peewee fields overload ==
class Keyset:
    """An ordering on ``(field, primary key)`` that pages continue along."""

    field: peewee.Field
    ascending: bool

    @property
    def pk(self) -> peewee.Field:
        return self.field.model._meta.primary_key

    @property
    def sort(self) -> str:
        """The ``?sort=`` value of this ordering: ``name`` or ``-name``."""
        return ("" if self.ascending else "-") + str(self.field.name)

    def encode(self, row: peewee.Model) -> str:
        """The cursor just after ``row``."""
        data = [self.sort, _plain(row.__data__.get(self.field.name)), _plain(row.get_id())]
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, token: str | None) -> tuple[Any, Any] | None:
        """``(sort value, pk)`` from a cursor of this ordering; None when absent or not ours."""
        if not token:
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            sort, value, pk = json.loads(raw)
            if sort != self.sort or pk is None:
                return None
            if value is not None:
                value = self.field.python_value(value)
                if isinstance(self.field, _TEMPORAL) and isinstance(value, str):
                    return None  # peewee hands back strings it cannot parse
            if any(type(v) is int and integer(v) is None for v in (value, pk)):
                return None  # beyond what an integer column holds
            return value, self.pk.python_value(pk)
        except (ValueError, TypeError, binascii.Error, decimal.InvalidOperation):
            return None

    def order_by(self, *, reverse: bool = False) -> list[peewee.Ordering]:
        ascending = self.ascending != reverse
        nulls = ("FIRST" if reverse else "LAST") if self.field.null else None
        if ascending:
            return [self.field.asc(nulls=nulls), self.pk.asc()]
        return [self.field.desc(nulls=nulls), self.pk.desc()]

    def beyond(self, cursor: tuple[Any, Any], *, reverse: bool = False) -> peewee.Expression:
        """Rows strictly after ``cursor`` in this ordering (before it when ``reverse``)."""
        value, pk = cursor
        ascending = self.ascending != reverse
        nulls_last = not reverse

        def past(column: Any, bound: Any) -> peewee.Expression:
            return column > bound if ascending else column < bound

        if value is None:
            among_nulls = self.field.is_null() & past(self.pk, pk)
            return among_nulls if nulls_last else among_nulls | self.field.is_null(False)
        condition = past(self.field, value) | ((self.field == value) & past(self.pk, pk))
        # A redundant bound on the field alone lets both databases seek the
        # index to the cursor instead of scanning from the start (1.3 s -> 4 ms
        # at 1M rows on PostgreSQL).
        bound = self.field >= value if ascending else self.field <= value
        if nulls_last and self.field.null:
            condition |= self.field.is_null()
            bound |= self.field.is_null()
        return bound & condition

    def page(
        self,
        query: peewee.ModelSelect,
        size: int,
        *,
        after: tuple[Any, Any] | None = None,
        before: tuple[Any, Any] | None = None,
    ) -> tuple[list[Any], bool]:
        """Up to ``size`` rows after ``after`` (or before ``before``); whether more lie beyond."""
        reverse = before is not None
        cursor = before if reverse else after
        if cursor is not None:
            query = query.where(self.beyond(cursor, reverse=reverse))
        # One row more than a page says whether another page follows, without counting.
        rows = list(query.order_by(*self.order_by(reverse=reverse)).limit(size + 1))
        more = len(rows) > size
        rows = rows[:size]
        if reverse:
            rows.reverse()
        return rows, more
