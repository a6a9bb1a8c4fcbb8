"""Files kept in the database (``[files] store = "database"``): a row per file, chunk rows."""

from datetime import UTC, datetime

from peewee import (
    BigIntegerField,
    BlobField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
)


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

    class KeptFile(Base):
        plugin = CharField(max_length=100)
        kind = CharField(max_length=50, default="")
        org = ForeignKeyField(Organisation, on_delete="CASCADE")
        stored_name = CharField(max_length=64)
        size = BigIntegerField(default=0)
        chunks = IntegerField(default=0)
        created_at = DateTimeField(default=now)

        class Meta:
            table_name = "accord_file"
            indexes = ((("plugin", "kind", "org", "stored_name"), True),)

    class FileChunk(Base):
        file = ForeignKeyField(KeptFile, on_delete="CASCADE")
        seq = IntegerField()
        data = BlobField()

        class Meta:
            table_name = "accord_file_chunk"
            indexes = ((("file", "seq"), True),)

    db.create_tables([KeptFile, FileChunk])
