"""CSV export of a whole query, streamed: the query runs once, its rows are read in chunks.

The response is written while rows are read, so memory stays flat however
many rows match. Starlette pulls each chunk in whichever worker thread is
free, after the view has returned and its connection is closed, and a
connection belongs to one thread; so one thread of the export's own
(``streamed``) holds a connection, runs the query once and hands over a
chunk of rows at a time through a short queue, which also holds it back
when the client reads slowly. Running the query once matters for a search:
continuing it chunk by chunk (keyset pages) would look every match up
again for each chunk.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import queue
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import peewee
from starlette.responses import StreamingResponse

from ..clock import local_iso, utcnow
from ..db import database
from .keyset import Keyset

if TYPE_CHECKING:
    from ..models import Organisation
    from .columns import Column

CHUNK = 1000
# A reader that stops reading for this long is gone: the export gives its connection back.
STALLED_AFTER = 300.0
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
    values = [column.value for column in columns]
    for rows in streamed(query.order_by(*keyset.order_by()), chunk or CHUNK):
        writer.writerows([csv_value(value(row), org) for value in values] for row in rows)
        yield _take(buffer)


def streamed(
    query: peewee.Query,
    chunk: int = CHUNK,
    then: Callable[[list[Any]], Any] | None = None,
) -> Iterator[Any]:
    """The rows of ``query``, ``chunk`` at a time, read by one run of the query.

    ``then``, when given, is called with each chunk's rows in the reading thread, while
    its connection is open (to read what the rows need, such as their details), and
    its result is yielded instead of the rows.

    The query runs in a thread of its own with a connection of its own, so the
    chunks may be taken from any thread, after the caller's connection has
    closed (as Starlette takes a streamed body's). PostgreSQL sends the rows
    through a server-side cursor, so neither side holds them all; SQLite steps
    through them as they are read. At most two chunks wait in between: a slow
    reader slows the reading, and one that goes away (the iterator closed, or
    untouched for ``STALLED_AFTER`` seconds) ends it.
    """
    handover: queue.Queue[Any] = queue.Queue(maxsize=2)
    stop = threading.Event()
    done = object()

    def give(item: Any) -> bool:
        waited = 0.0
        while not stop.is_set():
            try:
                handover.put(item, timeout=0.5)
                return True
            except queue.Full:
                waited += 0.5
                if waited >= STALLED_AFTER:
                    return False
        return False

    def read() -> None:
        try:
            with database.connection_context():
                for rows in _chunks(query, chunk):
                    if not give(rows if then is None else then(rows)):
                        return
            give(done)
        except Exception as exc:  # the reader raises it in its own thread
            give(exc)

    thread = threading.Thread(target=read, name="accord-export", daemon=True)
    thread.start()
    try:
        while True:
            item = handover.get()
            if item is done:
                return
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        stop.set()


def _chunks(query: peewee.Query, chunk: int) -> Iterator[list[Any]]:
    if isinstance(getattr(database, "obj", database), peewee.PostgresqlDatabase):
        # A server-side cursor: psycopg would otherwise fetch every row before the first.
        sql, params = query.sql()
        with database.atomic():
            database.execute_sql(f"DECLARE accord_export NO SCROLL CURSOR FOR {sql}", params)
            while True:
                cursor = database.execute_sql(f"FETCH FORWARD {int(chunk)} FROM accord_export")
                # peewee's own row maker for this query (models, joins, dicts), on our cursor.
                rows = list(query._get_cursor_wrapper(cursor))
                if rows:
                    yield rows
                if len(rows) < chunk:
                    return
    else:
        rows = iter(query.iterator())  # sqlite3 steps the statement as rows are taken
        while batch := list(itertools.islice(rows, chunk)):
            yield batch


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
