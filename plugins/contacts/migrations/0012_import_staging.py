"""Imports stage their rows in two tables; addresses are found ignoring case by index.

An import reads its file in batches into ``contacts_import_row`` (one row per
line: the normalised values, their errors, the person they match) and
``contacts_import_value`` (each address and number of a line), so the file
never sits in memory and repeats and matches are found by queries. Matching
compares addresses lower-cased: the expression indexes let it seek rather than
read every address of the organisation.
"""

from peewee import CharField, IntegerField, Model, TextField


def up(migrator, db):
    # Frozen copies of the models as they were at this migration.
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class ImportRow(Base):
        job_id = IntegerField()
        line = IntegerField()
        data = TextField()
        errors = TextField(null=True)
        match_id = IntegerField(null=True)
        matched_by = CharField(max_length=254, null=True)
        organisation_key = CharField(max_length=200, null=True)

        class Meta:
            table_name = "contacts_import_row"
            indexes = ((("job_id", "line"), True),)

    class ImportValue(Base):
        job_id = IntegerField()
        line = IntegerField()
        kind = CharField(max_length=5)
        key = CharField(max_length=254)

        class Meta:
            table_name = "contacts_import_value"
            indexes = ((("job_id", "kind", "key"), False),)

    db.create_tables([ImportRow, ImportValue])
    db.execute_sql(
        "CREATE INDEX contacts_person_detail_lower_value "
        "ON contacts_person_detail (org_id, kind, LOWER(value))"
    )
    db.execute_sql(
        "CREATE INDEX contacts_person_lower_email ON contacts_person (org_id, LOWER(email))"
    )
