"""What met the response target, and the people watching an incident.

- ``first_reply_at`` and ``work_started_at`` keep both moments that can count as
  the response; ``response_via`` says which one ``responded_at`` is. Existing
  incidents get them from their timelines: the first public reply, the first move
  to in progress or pending. Their ``responded_at`` stays as it was measured.
- ``incidents_watcher``: who is told, in the app, when an incident changes.
"""

from datetime import UTC, datetime

from peewee import CharField, DateTimeField, ForeignKeyField, Model
from playhouse.migrate import migrate


def up(migrator, db):
    table = "incidents_incident"
    migrate(
        migrator.add_column(table, "response_via", CharField(max_length=20, default="")),
        migrator.add_column(table, "first_reply_at", DateTimeField(null=True)),
        migrator.add_column(table, "work_started_at", DateTimeField(null=True)),
    )
    backfill(db)
    create_watchers(db)


def backfill(db):
    """Both response moments of existing incidents from their timelines, and which counted."""
    db.execute_sql(
        "UPDATE incidents_incident SET first_reply_at = (SELECT MIN(a.at) FROM incidents_activity a"
        " WHERE a.incident_id = incidents_incident.id AND a.kind = 'reply' AND a.public)"
    )
    # Activity data is JSON text written with sorted keys: {"from": "new", "to": "pending"}.
    param = db.param  # ? on SQLite, %s on PostgreSQL (where a literal % would be one)
    db.execute_sql(
        "UPDATE incidents_incident SET work_started_at = (SELECT MIN(a.at)"
        " FROM incidents_activity a WHERE a.incident_id = incidents_incident.id"
        f" AND a.kind = 'status' AND (a.data LIKE {param} OR a.data LIKE {param}))",
        ('%"to": "in_progress"%', '%"to": "pending"%'),
    )
    db.execute_sql(
        "UPDATE incidents_incident SET response_via = CASE"
        " WHEN responded_at = first_reply_at THEN 'reply'"
        " WHEN responded_at = work_started_at THEN 'start'"
        " ELSE 'resolution' END WHERE responded_at IS NOT NULL"
    )


def create_watchers(db):
    def now():
        return datetime.now(UTC).replace(tzinfo=None)

    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Organisation(Base):
        class Meta:
            table_name = "accord_organisation"

    class User(Base):
        class Meta:
            table_name = "accord_user"

    class Incident(Base):
        class Meta:
            table_name = "incidents_incident"

    class Watcher(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", index=True)
        incident = ForeignKeyField(Incident, on_delete="CASCADE", index=False)
        user = ForeignKeyField(User, on_delete="CASCADE", index=True)
        created_at = DateTimeField(default=now)

        class Meta:
            table_name = "incidents_watcher"
            indexes = ((("incident", "user"), True),)

    db.create_tables([Watcher])
