"""Index the pairs judged not to be duplicates by their second person too.

A person's page asks which pairs hold them on either side; the unique
(org, first, second) index serves only the first side.
"""


def up(migrator, db):
    migrator.migrate(
        migrator.add_index("contacts_not_duplicate", ("org_id", "second", "first"), False),
    )
