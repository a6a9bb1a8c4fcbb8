"""Merged people point at the person they were merged into; pairs judged not duplicates."""

from datetime import UTC, datetime

from peewee import DateTimeField, ForeignKeyField, IntegerField, Model
from playhouse.migrate import migrate


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

    class Person(Base):
        class Meta:
            table_name = "contacts_person"

    merged_into = ForeignKeyField(Person, null=True, on_delete="SET NULL", field=Person.id)
    migrate(migrator.add_column("contacts_person", "merged_into_id", merged_into))

    class NotDuplicate(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", index=False)
        first = IntegerField()  # the lower person id of the pair
        second = IntegerField()
        judged_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        judged_at = DateTimeField(default=now)

        class Meta:
            table_name = "contacts_not_duplicate"
            indexes = ((("org", "first", "second"), True),)

    db.create_tables([NotDuplicate])
