"""What SQL a piece of code runs, and whether any statement reads a whole table.

A page whose cost grows with the size of a table is only found at a million
rows, long after its test passed on ten. ``recorded_queries()`` captures the
statements run inside the block (in any thread, so a request made with the
test client counts), and ``QueryLog.scans()`` asks the database how it would
run each ``SELECT``:

    from accord.testing import recorded_queries

    with recorded_queries() as queries:
        client.get(f"/o/{org.slug}/contacts/people/{person.id}")
    assert len(queries) <= 30, queries.report()
    assert queries.scans({"contacts_person", "accord_audit_entry"}) == []

A *scan* is a read whose length is the table's, not the answer's:

- SQLite (``EXPLAIN QUERY PLAN``): ``SCAN <table>``, also ``USING INDEX`` or
  ``USING COVERING INDEX`` (a walk of a whole index is as long as the table).
- PostgreSQL (``EXPLAIN (FORMAT JSON)``): a ``Seq Scan``, or an index scan
  with no index condition. The tables are analysed first (autovacuum keeps
  statistics on a live server; SQLite is explained as it is, often without),
  and the plan is asked for with sequential scans, hash and merge joins off,
  so on a small test database a whole read means no index could serve. A
  table of fewer than ``SMALL`` rows is still read whole by choice, so only
  bigger ones are judged there: a test fills the tables it cares about.
- Both: a seek bounded by the organisation alone (``org_id`` is its only
  condition), since one organisation may own the whole table; the planner
  often picks such an index when it has no statistics, then filters row by row.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .db import database

# PostgreSQL reads a table this small whole by choice, where it would seek in a big one.
SMALL = 100
# The tenant column: a condition on it alone narrows nothing in a one-organisation instance.
UNSELECTIVE = frozenset({"org_id"})
_ALIAS = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"\s+AS\s+"(\w+)"', re.IGNORECASE)
# A column compared in a plan: SQLite writes ``(org_id=? AND at>?)``, PostgreSQL
# ``((t1.org_id = 1) AND ((t1.status)::text = 'active'::text))``.
_SQLITE_COLUMN = re.compile(r"(\w+)\s*(?:=|>|<|IN\b)")
_PG_COLUMN = re.compile(r'(\w+)"?\)?(?:::[a-z ]+?)?\s*(?:=|>|<|<>|~~)')
_NOTHING = re.compile(r"WHERE \(0 = 1\)(?: LIMIT| ORDER| OFFSET|$)")
_SQLITE_READ = re.compile(
    r"^(?P<how>SCAN|SEARCH) (?P<name>\w+)(?: AS (?P<alias>\w+))?"
    r"(?: USING (?:(?:COVERING )?INDEX \w+|INTEGER PRIMARY KEY|PRIMARY KEY))?"
    r"(?: \((?P<conditions>.*)\))?$"
)


@dataclass(frozen=True)
class Statement:
    """One statement as the driver received it."""

    sql: str
    params: tuple[Any, ...] = ()

    @property
    def is_select(self) -> bool:
        return self.sql.lstrip().upper().startswith(("SELECT", "WITH"))

    @property
    def reads_nothing(self) -> bool:
        """peewee writes ``WHERE (0 = 1)`` for an empty ``IN``: planned as a scan, reads none."""
        return _NOTHING.search(self.sql) is not None


@dataclass(frozen=True)
class Scan:
    """A statement that reads all of ``table`` (or all of one organisation's rows of it)."""

    table: str
    plan: str  # the plan's words for the read
    sql: str

    def __str__(self) -> str:
        return f"{self.table}: {self.plan}\n    in {self.sql}"


@dataclass
class QueryLog:
    """The statements recorded by ``recorded_queries()``, in the order they ran."""

    statements: list[Statement] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.statements)

    def selects(self) -> list[Statement]:
        return [s for s in self.statements if s.is_select and not s.reads_nothing]

    def scans(
        self, tables: Iterable[str] | None = None, *, unselective: Iterable[str] = UNSELECTIVE
    ) -> list[Scan]:
        """The reads of whole tables among the ``SELECT`` statements; only ``tables`` if given.

        A seek bounded only by ``unselective`` columns counts as a scan: pass
        e.g. ``{"org_id", "status"}`` when most rows share a status. Each
        distinct statement is explained once, on the current database.
        """
        columns = frozenset(unselective)
        sizes: dict[str, float] = {}
        if not _is_sqlite():
            # PostgreSQL always plans from statistics (autovacuum keeps them), so a test
            # database gets them too; SQLite is explained as it runs, often without any.
            database.execute_sql("ANALYZE")
            sizes = dict(
                database.execute_sql(
                    "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'"
                ).fetchall()
            )
        watched = set(tables) if tables is not None else None
        found: list[Scan] = []
        seen: set[tuple[str, tuple[Any, ...]]] = set()
        for statement in self.selects():
            key = (statement.sql, tuple(map(repr, statement.params)))
            if key in seen:
                continue
            seen.add(key)
            found.extend(
                s
                for s in explain(statement, unselective=columns)
                if (watched is None or s.table in watched) and sizes.get(s.table, SMALL) >= SMALL
            )
        return found

    def report(self) -> str:
        """Every statement on its own line, for an assertion's message."""
        return "\n".join(f"{n}. {s.sql}" for n, s in enumerate(self.statements, 1))


class _Recorder(logging.Handler):
    """peewee logs ``(sql, params)`` at DEBUG before running each statement."""

    def __init__(self, log: QueryLog) -> None:
        super().__init__(logging.DEBUG)
        self.log = log
        self.lock_ = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.msg
        if isinstance(message, tuple) and len(message) == 2 and isinstance(message[0], str):
            with self.lock_:
                self.log.statements.append(Statement(message[0], tuple(message[1] or ())))


@contextlib.contextmanager
def recorded_queries() -> Iterator[QueryLog]:
    """Record every statement peewee runs inside the block, in whatever thread."""
    log = QueryLog()
    logger = logging.getLogger("peewee")
    handler = _Recorder(log)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield log
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def explain(statement: Statement, *, unselective: Iterable[str] = UNSELECTIVE) -> list[Scan]:
    """The whole-table reads in ``statement``'s plan on the current database."""
    columns = frozenset(unselective)
    if _is_sqlite():
        return _sqlite_scans(statement, columns)
    return _postgresql_scans(statement, columns)


def _is_sqlite() -> bool:
    return "sqlite" in type(database.obj).__name__.lower()


def _sqlite_scans(statement: Statement, unselective: frozenset[str]) -> list[Scan]:
    aliases = {alias: table for table, alias in _ALIAS.findall(statement.sql)}
    rows = database.execute_sql(f"EXPLAIN QUERY PLAN {statement.sql}", statement.params)
    scans = []
    for *_, detail in rows.fetchall():
        match = _SQLITE_READ.match(detail)
        if match is None:
            continue  # temp b-trees, subquery headers, constant rows …
        name = match["alias"] or match["name"]
        table = aliases.get(name, match["name"])
        conditions = match["conditions"] or ""
        if match["how"] == "SCAN" or _only(_SQLITE_COLUMN.findall(conditions), unselective):
            scans.append(Scan(table, detail, statement.sql))
    return scans


def _only(columns: list[str], unselective: frozenset[str]) -> bool:
    """Whether a seek's columns are all unselective ones (no columns: not a seek)."""
    return bool(columns) and set(columns) <= unselective


def _postgresql_scans(statement: Statement, unselective: frozenset[str]) -> list[Scan]:
    with database.atomic():
        # A small test table is cheapest to read whole, or to hash or merge whole for a
        # join; with those priced out the plan is the one a big table gets, index seeks
        # and nested loops, and what still reads everything has no index to serve it.
        for setting in ("enable_seqscan", "enable_hashjoin", "enable_mergejoin"):
            database.execute_sql(f"SET LOCAL {setting} = off")
        row = database.execute_sql(
            f"EXPLAIN (FORMAT JSON) {statement.sql}", statement.params
        ).fetchone()
    plan = row[0] if not isinstance(row[0], str) else json.loads(row[0])
    scans: list[Scan] = []
    _walk(plan[0]["Plan"], statement.sql, unselective, scans)
    return scans


def _walk(node: dict[str, Any], sql: str, unselective: frozenset[str], scans: list[Scan]) -> None:
    kind = node.get("Node Type", "")
    table = node.get("Relation Name")
    if table:
        condition = node.get("Index Cond") or node.get("Recheck Cond") or ""
        if kind == "Seq Scan":
            scans.append(Scan(table, "Seq Scan", sql))
        elif kind in ("Index Scan", "Index Only Scan") and (
            not condition or _only(_PG_COLUMN.findall(condition), unselective)
        ):
            scans.append(Scan(table, f"{kind} using {node.get('Index Name')} {condition}", sql))
        elif kind == "Bitmap Heap Scan" and _only(_PG_COLUMN.findall(condition), unselective):
            scans.append(Scan(table, f"{kind} {condition}", sql))
    for child in node.get("Plans", []):
        _walk(child, sql, unselective, scans)
