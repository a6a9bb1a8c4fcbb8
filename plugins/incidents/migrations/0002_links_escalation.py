"""Major incidents and their children, merged duplicates, automatic escalation, saved views.

``alert_at`` is the next instant an SLA alert falls due for the periodic
escalation task (NULL when none will): a partial index holds only the few
incidents with one pending, so the task's minute-by-minute look stays cheap
at a million incidents however many stay breached.
"""

from datetime import UTC, datetime

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)
from playhouse.migrate import migrate


def up(migrator, db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    def now():
        return datetime.now(UTC).replace(tzinfo=None)

    class Organisation(Base):
        class Meta:
            table_name = "accord_organisation"

    class User(Base):
        class Meta:
            table_name = "accord_user"

    class Incident(Base):
        class Meta:
            table_name = "incidents_incident"

    class Tenant(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", index=True)

    class SlaAlert(Tenant):
        incident = ForeignKeyField(Incident, on_delete="CASCADE", index=False)
        clock = CharField(max_length=12)
        state = CharField(max_length=12)
        round = IntegerField(default=0)
        at = DateTimeField(default=now)

        class Meta:
            table_name = "incidents_sla_alert"
            indexes = ((("incident", "clock", "state", "round"), True),)

    class EscalationRule(Tenant):
        priority = IntegerField()
        trigger = CharField(max_length=10)
        next_tier = BooleanField(default=False)
        notify_lead = BooleanField(default=False)
        notify_manager = BooleanField(default=False)

        class Meta:
            table_name = "incidents_escalation_rule"
            indexes = ((("org", "priority", "trigger"), True),)

    class SavedView(Tenant):
        user = ForeignKeyField(User, on_delete="CASCADE")
        queue = CharField(max_length=20)
        name = CharField(max_length=60)
        query = TextField(default="")
        created_at = DateTimeField(default=now)

        class Meta:
            table_name = "incidents_saved_view"
            indexes = ((("org", "user", "name"), True),)

    table = "incidents_incident"
    migrate(
        migrator.add_column(table, "is_major", BooleanField(default=False)),
        migrator.add_column(
            table,
            "parent_id",
            ForeignKeyField(
                Incident, null=True, on_delete="SET NULL", field=Incident.id, index=False
            ),
        ),
        migrator.add_column(
            table,
            "merged_into_id",
            ForeignKeyField(
                Incident, null=True, on_delete="SET NULL", field=Incident.id, index=False
            ),
        ),
        migrator.add_column(table, "escalated_at", DateTimeField(null=True)),
        migrator.add_column(table, "alert_at", DateTimeField(null=True)),
        migrator.add_index(table, ("parent_id", "status"), False),
        migrator.add_index(table, ("merged_into_id",), False),
        migrator.add_index(table, ("org_id", "is_major", "status"), False),
    )
    # Partial: only incidents with an alert still to come (both SQLite and PostgreSQL).
    db.execute_sql(
        "CREATE INDEX incidents_incident_org_id_alert_at ON incidents_incident (org_id, alert_at) "
        "WHERE alert_at IS NOT NULL"
    )
    db.create_tables([SlaAlert, EscalationRule, SavedView])
    # Open incidents whose clock has not yet run out alert from now on; those long
    # breached before the upgrade do not all escalate at once.
    db.execute_sql(
        "UPDATE incidents_incident SET alert_at = COALESCE(warn_at, due_at) "
        f"WHERE due_at > {db.param} AND status IN ('new', 'assigned', 'in_progress')",
        (now(),),
    )
