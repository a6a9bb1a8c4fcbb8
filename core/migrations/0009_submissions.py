"""Used submission ids, so a form sent twice changes things once (``accord.submissions``)."""

from datetime import UTC, datetime

from peewee import CharField, DateTimeField, Model, TextField


def up(migrator, db):
    # A frozen copy of the model as it was at this migration.
    class Submission(Model):
        nonce = CharField(max_length=64, unique=True)
        location = TextField(null=True)
        created_at = DateTimeField(
            default=lambda: datetime.now(UTC).replace(tzinfo=None), index=True
        )

        class Meta:
            database = db
            legacy_table_names = False
            table_name = "accord_submission"

    db.create_tables([Submission])
