"""The announcements table."""

from datetime import UTC, datetime

from peewee import CharField, DateTimeField, ForeignKeyField, Model, TextField


def up(migrator, db):
    # Frozen copies of the models as they were at this migration; the core's
    # tables appear only as far as the foreign keys need them.
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

    class Announcement(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", index=True)
        title = CharField(max_length=200)
        body = TextField(default="")
        severity = CharField(max_length=20, default="info")
        starts_at = DateTimeField(default=now)
        ends_at = DateTimeField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(default=now)

        class Meta:
            table_name = "announcements_announcement"
            indexes = ((("org", "starts_at"), False),)

    db.create_tables([Announcement])
