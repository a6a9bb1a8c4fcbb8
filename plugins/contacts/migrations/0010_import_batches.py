"""People, organisations and affiliations an import writes carry its job's id.

An import writes in short batches; until its job is done those rows are
hidden (see ``importing.py``), and a failed import's rows are found by this id
and removed. The column is nullable and indexed: adding it does not rewrite
the existing rows.
"""

from peewee import IntegerField
from playhouse.migrate import migrate

TABLES = ("contacts_person", "contacts_organisation", "contacts_affiliation")


def up(migrator, db):
    migrate(
        *(migrator.add_column(t, "import_job_id", IntegerField(null=True)) for t in TABLES),
        *(migrator.add_index(t, ("import_job_id",)) for t in TABLES),
    )
