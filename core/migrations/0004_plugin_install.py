"""Record which plugins are installed, so an uninstalled one's migrations are skipped."""

from datetime import UTC, datetime

from peewee import CharField, DateTimeField, Model


def up(migrator, db):
    # A frozen copy of the model as it was at this migration.
    class PluginInstall(Model):
        plugin = CharField(max_length=100, unique=True)
        version = CharField(max_length=50)
        state = CharField(max_length=20)
        changed_at = DateTimeField(default=lambda: datetime.now(UTC).replace(tzinfo=None))

        class Meta:
            database = db
            legacy_table_names = False
            table_name = "accord_plugin_install"

    db.create_tables([PluginInstall])
