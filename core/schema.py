"""Per-plugin schema migrations, each plugin with its own ordered history.

Built on peewee's ``playhouse.migrations`` file format: ``0001_name.py`` files
defining ``up(migrator, db)``. Their history lives in one table keyed by
plugin, so two plugins' ``0001_initial`` never collide. A plugin uninstalled
(``lifecycle.py``) is skipped until it is installed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from peewee import CharField, DateTimeField
from playhouse.migrate import SchemaMigrator
from playhouse.migrations import Migration

from .clock import utcnow
from .db import BaseModel, database
from .host import PluginHost

CORE_MIGRATIONS = Path(__file__).parent / "migrations"


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


def migrate(host: PluginHost, *, plugin: str | None = None) -> list[str]:
    """Apply every pending migration in order and record the plugins installed.

    Returns the labels applied. ``plugin`` migrates that plugin only.
    """
    from .lifecycle import record_installs

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
