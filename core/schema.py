"""Per-plugin schema migrations, each plugin with its own ordered history.

Built on peewee's ``playhouse.migrations`` file format: ``0001_name.py`` files
defining ``up(migrator, db)``. Their history lives in one table keyed by
plugin, so two plugins' ``0001_initial`` never collide. A plugin uninstalled
(``lifecycle.py``) is skipped until it is installed again.

One migration run at a time: two ``accord migrate`` started together (two
deploys, two containers) take turns, and the second finds nothing left to do.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from peewee import CharField, DateTimeField, PostgresqlDatabase
from playhouse.migrate import SchemaMigrator
from playhouse.migrations import Migration

from .clock import utcnow
from .db import BaseModel, database
from .host import PluginHost

CORE_MIGRATIONS = Path(__file__).parent / "migrations"

# The advisory lock's key on PostgreSQL: "accord" in ASCII, an arbitrary constant.
MIGRATION_LOCK_KEY = 0x6163636F7264

log = logging.getLogger("accord.schema")


class MigrationRecord(BaseModel):
    plugin = CharField(max_length=100)
    name = CharField(max_length=200)
    applied_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "accord_migration"
        indexes = ((("plugin", "name"), True),)


@dataclass(frozen=True)
class PendingMigration:
    plugin: str
    migration: Migration

    @property
    def label(self) -> str:
        return f"{self.plugin}:{self.migration.name}"


def sources(host: PluginHost) -> list[tuple[str, Path]]:
    """``(plugin, folder)`` for the core and every loaded plugin, in dependency order,
    so a plugin's tables exist before a dependent plugin's foreign keys point at them."""
    found = [("core", CORE_MIGRATIONS)]
    found += [(pid, Path(folder)) for pid, folder in host.impls_by_plugin("register_migrations")]
    return found


def applied() -> set[tuple[str, str]]:
    if not MigrationRecord.table_exists():
        return set()
    return {(r.plugin, r.name) for r in MigrationRecord.select()}


def pending(host: PluginHost, *, plugin: str | None = None) -> list[PendingMigration]:
    """Migrations not yet applied, skipping uninstalled plugins (and their integrations).

    ``plugin`` keeps only that plugin's and its integrations' migrations.
    """
    from .lifecycle import uninstalled  # lifecycle builds on this module

    done = applied()
    skipped = uninstalled()
    return [
        PendingMigration(source, migration)
        for source, folder in sources(host)
        if not set(source.split("+")) & skipped and (plugin is None or plugin in source.split("+"))
        for migration in Migration.load_directory(str(folder))
        if (source, migration.name) not in done
    ]


@contextmanager
def migration_lock() -> Iterator[None]:
    """Hold this database's migration lock; wait (and say so) while another run holds it.

    PostgreSQL: a transaction-scoped advisory lock, around one transaction that
    applies every pending migration. A session lock would outlive its transaction
    and, behind PgBouncer in transaction mode, stay on a server connection another
    client is then given; the transaction's lock is released by its COMMIT or
    ROLLBACK, whatever the pooler does. SQLite: an ``fcntl`` lock on a file beside
    the database, released when the file closes (or the process dies).
    """
    db = database.obj
    if isinstance(db, PostgresqlDatabase):
        with database.atomic():
            taken = database.execute_sql(
                "SELECT pg_try_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,)
            ).fetchone()[0]
            if not taken:
                _say_waiting()
                database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,))
            yield
        return
    path = str(db.database)
    if path in ("", ":memory:") or path.startswith("file::memory:"):
        yield  # a database of this process alone
        return
    with open(f"{path}.migrate-lock", "a") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            _say_waiting()
            fcntl.flock(lock_file, fcntl.LOCK_EX)
        yield


def _say_waiting() -> None:
    log.warning("another migration run holds the migration lock; waiting for it to finish")


def migrate(host: PluginHost, *, plugin: str | None = None) -> list[str]:
    """Apply every pending migration in order and record the plugins installed.

    Returns the labels applied. ``plugin`` migrates that plugin only. Runs under
    ``migration_lock()``: a second run waits, then applies only what is left.
    On PostgreSQL the whole run is one transaction (all applied, or none).
    """
    from .lifecycle import record_installs

    with migration_lock():
        MigrationRecord.create_table(safe=True)
        migrator = SchemaMigrator.from_database(database)
        done = []
        for item in pending(host, plugin=plugin):
            module = item.migration.load()
            with migrator.migration_context(getattr(module, "atomic", True)):
                module.up(migrator, database.obj)
                MigrationRecord.create(plugin=item.plugin, name=item.migration.name)
            done.append(item.label)
        record_installs(host, [plugin] if plugin else host.order)
    return done


class PendingMigrationsError(Exception):
    """The schema is behind the code."""

    def __init__(self, items: list[PendingMigration]) -> None:
        labels = ", ".join(i.label for i in items)
        super().__init__(
            f"{len(items)} migration(s) pending ({labels}); run `accord migrate` first"
        )
