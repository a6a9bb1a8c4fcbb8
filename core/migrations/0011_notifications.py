"""In-app notifications (``accord.notifications``)."""

from datetime import UTC, datetime

from peewee import CharField, DateTimeField, ForeignKeyField, Model


def up(migrator, db):
    # A frozen copy of the model as it was at this migration.
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Organisation(Base):
        class Meta:
            table_name = "accord_organisation"

    class User(Base):
        class Meta:
            table_name = "accord_user"

    class Notification(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE")
        user = ForeignKeyField(User, on_delete="CASCADE", index=False)
        kind = CharField(max_length=60, default="")
        text = CharField(max_length=300)
        url = CharField(max_length=500)
        created_at = DateTimeField(default=lambda: datetime.now(UTC).replace(tzinfo=None))
        read_at = DateTimeField(null=True)

        class Meta:
            table_name = "accord_notification"
            indexes = (
                (("user", "org", "created_at"), False),
                (("user", "org", "read_at"), False),
            )

    db.create_tables([Notification])
