"""Index audit entries by record, for a record's timeline and the conflict page."""


def up(migrator, db):
    migrator.migrate(
        migrator.add_index("accord_audit_entry", ("table", "record_id"), False),
    )
