"""CSV export of a whole query, streamed in keyset chunks.

The response is written while rows are read, so memory stays flat however
many rows match. Starlette pulls each chunk in a worker thread after the
view has returned and its connection is closed, so every chunk opens its
own connection, reads, and closes it before yielding.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import peewee
from starlette.responses import StreamingResponse

from ..clock import local_iso, utcnow
from ..db import database
from .keyset import Keyset

if TYPE_CHECKING:
    from ..models import Organisation
    from .columns import Column

CHUNK = 500
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A plain number ("-12.5") or phone number ("+44 20 7946 0958") calls nothing, so it
# is left as it is: an apostrophe would stop the file being imported again.
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?|\+\d[\d ]*\d")


def csv_value(value: Any, org: Organisation | None = None) -> str:
    """A value as a CSV cell holds it; a time in ``org``'s zone as ISO 8601 with its offset."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return local_iso(org, value)
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_START):
        return text if PLAIN_NUMBER.fullmatch(text) else "'" + text
    return text


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def csv_lines(
    query: peewee.ModelSelect,
    keyset: Keyset,
    columns: Sequence[Column],
    chunk: int | None = None,
    *,
    org: Organisation | None = None,
) -> Iterator[str]:
    """The header line, then every row of ``query`` in ``keyset`` order, a chunk at a time.

    Times are in ``org``'s zone, which the headers of time columns name.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # The BOM makes spreadsheet programs read the file as UTF-8.
    writer.writerow([column.heading(org) for column in columns])
    yield "\ufeff" + _take(buffer)
    cursor = None
    while True:
        with database.connection_context():
            rows, more = keyset.page(query, chunk or CHUNK, after=cursor)
            lines = [[csv_value(column.value(row), org) for column in columns] for row in rows]
        writer.writerows(lines)
        yield _take(buffer)
        if not more:
            return
        last = rows[-1]
        cursor = (last.__data__.get(keyset.field.name), last.get_id())


def stream_csv(
    query: peewee.ModelSelect,
    keyset: Keyset,
    columns: Sequence[Column],
    filename: str,
    *,
    org: Organisation | None = None,
) -> StreamingResponse:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", filename).strip("-") or "export"
    name = f"{safe}-{utcnow():%Y-%m-%d}.csv"
    return StreamingResponse(
        csv_lines(query, keyset, columns, org=org),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
