"""Plugins' per-organisation settings (secrets encrypted in ``value``)."""

from datetime import UTC, datetime

from peewee import CharField, DateTimeField, ForeignKeyField, Model, TextField


def up(migrator, db):
    # Frozen copies of the models as they were at this migration.
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    def now():
        return datetime.now(UTC).replace(tzinfo=None)

    class Organisation(Base):
        class Meta:
            table_name = "accord_organisation"

    class PluginSetting(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE")
        plugin = CharField(max_length=100)
        key = CharField(max_length=100)
        value = TextField()
        changed_at = DateTimeField(default=now)

        class Meta:
            table_name = "accord_plugin_setting"
            indexes = ((("org", "plugin", "key"), True),)

    db.create_tables([PluginSetting])
