"""Imports of CSV files run by the background worker."""

from datetime import UTC, datetime

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField


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

    class User(Base):
        class Meta:
            table_name = "accord_user"

    class ImportJob(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE")
        user = ForeignKeyField(User, null=True, on_delete="SET NULL")
        filename = CharField(max_length=200)
        stored_name = CharField(max_length=64)
        size = IntegerField()
        content_type = CharField(max_length=100, default="text/csv")
        rows = IntegerField(default=0)
        headers = TextField(default="[]")
        sample = TextField(default="[]")
        mapping = TextField(default="{}")
        on_match = CharField(max_length=10, default="skip")
        status = CharField(max_length=12, default="mapping")
        matched = IntegerField(default=0)
        error_count = IntegerField(default=0)
        errors = TextField(default="[]")
        created = IntegerField(default=0)
        updated = IntegerField(default=0)
        skipped = IntegerField(default=0)
        message = CharField(max_length=500, default="")
        created_at = DateTimeField(default=now)
        finished_at = DateTimeField(null=True)

        class Meta:
            table_name = "contacts_import_job"

    db.create_tables([ImportJob])
