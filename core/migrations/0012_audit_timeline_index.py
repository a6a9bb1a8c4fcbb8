"""Index audit entries by organisation, record and time, for a record's timeline.

A record's page asks for its newest entries: ``org = ? AND table = ? AND
record_id = ? ORDER BY at DESC, id DESC LIMIT 50``. With only (org, at) and
(table, record_id) to choose from, a planner without statistics walked the
organisation's whole (org, at) index; this one index answers the filter and
the order, so no planner has a reason to pick another.
"""


def up(migrator, db):
    migrator.migrate(
        migrator.add_index(
            "accord_audit_entry", ("org_id", "table", "record_id", "at", "id"), False
        ),
    )
