"""An import's check keeps the customer organisations importing would create."""

from peewee import IntegerField, TextField
from playhouse.migrate import migrate


def up(migrator, db):
    migrate(
        migrator.add_column(
            "contacts_import_job", "new_organisation_count", IntegerField(default=0)
        ),
        migrator.add_column("contacts_import_job", "new_organisations", TextField(default="[]")),
    )
