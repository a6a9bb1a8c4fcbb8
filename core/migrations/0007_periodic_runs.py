"""Claimed periods of periodic tasks, so any number of workers run each one once."""

from datetime import UTC, datetime

from peewee import CharField, DateTimeField, Model


def up(migrator, db):
    # A frozen copy of the model as it was at this migration.
    class PeriodicRun(Model):
        task = CharField(max_length=200)
        period_start = DateTimeField()
        claimed_at = DateTimeField(default=lambda: datetime.now(UTC).replace(tzinfo=None))

        class Meta:
            database = db
            legacy_table_names = False
            table_name = "accord_periodic_run"
            indexes = ((("task", "period_start"), True),)

    db.create_tables([PeriodicRun])
