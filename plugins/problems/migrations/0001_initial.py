"""Problems' tables: problems, their linked incidents and timeline, the detector's proposals.

Indexes: the list by status and number, known errors by when they became
one, a service's open problems, an incident's problems (its page and the
detector's exclusion), a problem's incidents and timeline, and open
proposals by age.
"""

from datetime import UTC, datetime

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField


def up(migrator, db):
    # Frozen copies of the models as they were at this migration; other plugins'
    # and the core's tables appear only as far as the foreign keys need them.
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

    class Service(Base):
        class Meta:
            table_name = "catalogue_service"

    class Incident(Base):
        class Meta:
            table_name = "incidents_incident"

    class Tenant(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", index=True)

    class Counter(Tenant):
        value = IntegerField(default=0)

        class Meta:
            table_name = "problems_counter"
            indexes = ((("org",), True),)

    class Problem(Tenant):
        version = IntegerField(default=1)
        number = IntegerField()
        reference = CharField(max_length=20)
        title = CharField(max_length=200)
        service = ForeignKeyField(Service, null=True, on_delete="SET NULL", index=False)
        category = CharField(max_length=30, default="other")
        priority = IntegerField(default=3)
        status = CharField(max_length=20, default="new")
        symptoms = TextField(default="")
        root_cause = TextField(default="")
        workaround = TextField(default="")
        fix_change = CharField(max_length=100, default="")
        fix_description = TextField(default="")
        owner = ForeignKeyField(User, null=True, on_delete="SET NULL", index=False)
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", index=False)
        created_at = DateTimeField(default=now)
        updated_at = DateTimeField(default=now)
        known_error_at = DateTimeField(null=True)
        resolved_at = DateTimeField(null=True)
        closed_at = DateTimeField(null=True)

        class Meta:
            table_name = "problems_problem"
            indexes = (
                (("org", "number"), True),
                (("org", "status", "number"), False),
                (("org", "status", "known_error_at"), False),
                (("org", "service", "status"), False),
                (("org", "updated_at"), False),
            )

    class ProblemIncident(Tenant):
        problem = ForeignKeyField(Problem, on_delete="CASCADE", index=False)
        incident = ForeignKeyField(Incident, on_delete="CASCADE", index=False)
        linked_by = ForeignKeyField(User, null=True, on_delete="SET NULL", index=False)
        linked_at = DateTimeField(default=now)

        class Meta:
            table_name = "problems_problem_incident"
            indexes = ((("problem", "incident"), True), (("org", "incident"), False))

    class ProblemEvent(Tenant):
        problem = ForeignKeyField(Problem, on_delete="CASCADE", index=False)
        at = DateTimeField(default=now)
        kind = CharField(max_length=20)
        author_label = CharField(max_length=200, default="")
        body = TextField(default="")

        class Meta:
            table_name = "problems_event"
            indexes = ((("problem", "at"), False),)

    class Proposal(Tenant):
        service = ForeignKeyField(Service, null=True, on_delete="SET NULL", index=False)
        category = CharField(max_length=30, default="other")
        title = CharField(max_length=200)
        incident_ids = TextField(default="[]")
        incident_key = TextField()
        similarity = IntegerField(default=0)
        status = CharField(max_length=12, default="proposed")
        created_at = DateTimeField(default=now)
        decided_at = DateTimeField(null=True)
        decided_by = ForeignKeyField(User, null=True, on_delete="SET NULL", index=False)
        problem = ForeignKeyField(Problem, null=True, on_delete="SET NULL", index=False)

        class Meta:
            table_name = "problems_proposal"
            indexes = ((("org", "status", "created_at"), False),)

    db.create_tables([Counter, Problem, ProblemIncident, ProblemEvent, Proposal])
