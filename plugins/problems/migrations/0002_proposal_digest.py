"""One undecided proposal per group of incidents, held by the database.

Two detector runs at once (two workers, or the page's "look now" beside the
daily task) could each propose the same group. ``incident_digest`` is the
SHA-256 of ``incident_key`` (the key itself can outgrow an index entry); a
partial unique index allows one undecided proposal per digest, while decided
ones are kept as history. Duplicates already made are removed, oldest kept.
"""

import hashlib

from peewee import CharField
from playhouse.migrate import migrate


def up(migrator, db):
    migrate(
        migrator.add_column(
            "problems_proposal", "incident_digest", CharField(max_length=64, default="")
        )
    )
    rows = db.execute_sql("SELECT id, incident_key FROM problems_proposal").fetchall()
    for row_id, key in rows:
        db.execute_sql(
            f"UPDATE problems_proposal SET incident_digest = {db.param} WHERE id = {db.param}",
            (hashlib.sha256(str(key).encode()).hexdigest(), row_id),
        )
    db.execute_sql(
        "DELETE FROM problems_proposal WHERE status = 'proposed' AND id NOT IN ("
        "SELECT MIN(id) FROM problems_proposal WHERE status = 'proposed' "
        "GROUP BY org_id, incident_digest)"
    )
    db.execute_sql(
        "CREATE UNIQUE INDEX problems_proposal_undecided_digest "
        "ON problems_proposal (org_id, incident_digest) WHERE status = 'proposed'"
    )
