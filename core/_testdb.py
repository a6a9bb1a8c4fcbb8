"""Fresh, migrated test databases, fast: migrate once per set of migrations, then reuse.

Creating some forty tables and their indexes for every test is most of a
test's time. The first test with a given set of migration files migrates for
real; later tests with the same set start from a copy (SQLite: the migrated
file; PostgreSQL: the same schema with the tables the last test wrote to emptied
and their id sequences restarted). Anything that
changed the schema (a test that creates or drops tables, or adds a migration)
sends the next test back to a full reset.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .db import database
from .host import PluginHost
from .schema import migrate, sources
from .settings import Settings

# Kept as they were after migrating: which migrations ran and which plugins are installed.
SCHEMA_STATE_TABLES = ("accord_migration", "accord_plugin_install")


@dataclass
class _Migrated:
    key: str
    tables: frozenset[str]
    migrations: int
    installs: list[tuple[Any, ...]]
    install_columns: list[str]


_sqlite_templates: dict[str, Path] = {}
_postgres: dict[str, _Migrated] = {}


def migration_key(host: PluginHost) -> str:
    parts = [
        f"{plugin}:{folder}:{','.join(sorted(p.name for p in Path(folder).glob('[0-9]*.py')))}"
        for plugin, folder in sources(host)
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _close_pool() -> None:
    if hasattr(database.obj, "close_all"):
        database.close_all()
    if not database.is_closed():
        database.close()


def fresh_database(settings: Settings, host: PluginHost, templates: Path) -> None:
    """An empty, fully migrated database for ``settings`` (already opened)."""
    key = migration_key(host)
    _close_pool()
    if settings.is_sqlite:
        _fresh_sqlite(settings, host, key, templates)
    else:
        _fresh_postgres(settings, host, key)


def _fresh_sqlite(settings: Settings, host: PluginHost, key: str, templates: Path) -> None:
    path = Path(settings.database_url.removeprefix("sqlite:///"))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    template = _sqlite_templates.get(key)
    if template is not None and template.exists():
        shutil.copyfile(template, path)
        return
    with database.connection_context():
        migrate(host)
        database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    _close_pool()
    templates.mkdir(parents=True, exist_ok=True)
    template = templates / f"{key}.db"
    shutil.copyfile(path, template)
    _sqlite_templates[key] = template


def _fresh_postgres(settings: Settings, host: PluginHost, key: str) -> None:
    url = settings.database_url
    with database.connection_context():
        known = _postgres.get(url)
        if known is not None and known.key == key and _unchanged(known):
            _empty(known)
            return
        database.execute_sql("DROP SCHEMA public CASCADE")
        database.execute_sql("CREATE SCHEMA public")
        migrate(host)
        cursor = database.execute_sql(f"SELECT * FROM {SCHEMA_STATE_TABLES[1]}")
        _postgres[url] = _Migrated(
            key=key,
            tables=frozenset(database.get_tables()),
            migrations=_count(SCHEMA_STATE_TABLES[0]),
            installs=[tuple(row) for row in cursor.fetchall()],
            install_columns=[column[0] for column in cursor.description],
        )


def _count(table: str) -> int:
    return int(database.execute_sql(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def _unchanged(known: _Migrated) -> bool:
    return (
        frozenset(database.get_tables()) == known.tables
        and _count(SCHEMA_STATE_TABLES[0]) == known.migrations
    )


def _written(tables: list[str]) -> tuple[list[str], list[str]]:
    """What a test wrote to: the tables with rows now, and the id sequences that moved.

    Emptying only those costs milliseconds. TRUNCATE … CASCADE would reach every
    table (they all refer to the organisations) and cost half a second a test.
    """
    checks = ", ".join(f'({_literal(t)}, EXISTS (SELECT 1 FROM "{t}"))' for t in tables)
    rows = database.execute_sql(f"SELECT * FROM (VALUES {checks}) AS v").fetchall()
    sequences = [
        name
        for (name,) in database.execute_sql(
            "SELECT sequencename FROM pg_sequences "
            "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
        ).fetchall()
    ]
    return [name for name, used in rows if used], sequences


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _empty(known: _Migrated) -> None:
    data_tables = sorted(known.tables - set(SCHEMA_STATE_TABLES))
    filled, sequences = _written(data_tables)
    installs = SCHEMA_STATE_TABLES[1]
    statements = [
        # Foreign keys are checked by triggers, which the replica role skips: any order works.
        "SET LOCAL session_replication_role = replica",
        *(f'DELETE FROM "{table}"' for table in filled),
        *(f'ALTER SEQUENCE "{name}" RESTART' for name in sequences),
        f"DELETE FROM {installs}",
    ]
    with database.atomic():
        database.execute_sql("; ".join(statements))
        if known.installs:
            columns = ", ".join(f'"{c}"' for c in known.install_columns)
            marks = ", ".join(["%s"] * len(known.install_columns))
            insert = f"INSERT INTO {installs} ({columns}) VALUES ({marks})"
            database.cursor().executemany(insert, known.installs)
