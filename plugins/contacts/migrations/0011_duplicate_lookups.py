"""Indexes for a person's possible duplicates, shown on their page.

- The pairs judged not to be duplicates, by their second person too: the page
  asks which pairs hold the person on either side, and the unique
  (org, first, second) index serves only the first side.
- Active people by full name: the (org, status, last_name, id) list index
  found the name's surname and then read every Smith to match the first name.
"""


def up(migrator, db):
    migrator.migrate(
        migrator.add_index("contacts_not_duplicate", ("org_id", "second", "first"), False),
        migrator.add_index(
            "contacts_person", ("org_id", "status", "last_name", "first_name"), False
        ),
    )
