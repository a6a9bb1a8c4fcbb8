"""The service desk report's daily summaries (``summaries.py``).

- ``incidents_daily_summary``: counts of facts per day (or month), service and team.
- ``incidents_summary_source``: what each incident adds to them now.
- ``incidents_summary_state``: the time zone an organisation's summaries were built in.

No organisation has summaries yet: their reports count live until the hourly
``incidents.build_summaries`` task (or ``accord incidents rebuild-summaries``)
builds them.
"""

from datetime import UTC, datetime

from peewee import (
    BigIntegerField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
)


def up(migrator, db):
    def now():
        return datetime.now(UTC).replace(tzinfo=None)

    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Organisation(Base):
        class Meta:
            table_name = "accord_organisation"

    class Incident(Base):
        class Meta:
            table_name = "incidents_incident"

    class DailySummary(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", index=True)
        grain = CharField(max_length=5)
        day = DateField()
        service = IntegerField()
        team = IntegerField()
        fact = CharField(max_length=12)
        value = CharField(max_length=60)
        tally = IntegerField(default=0)
        total_ms = BigIntegerField(default=0)

        class Meta:
            table_name = "incidents_daily_summary"
            # A report without filters, or of one service, reads a range of days of one
            # service key; a report of one team, the team's.
            indexes = (
                (("org", "grain", "service", "day", "team", "fact", "value"), True),
                (("org", "grain", "team", "day"), False),
            )

    class SummarySource(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", index=True)
        incident = ForeignKeyField(Incident, primary_key=True, on_delete="CASCADE")
        service = IntegerField()
        team = IntegerField()
        logged_day = DateField()
        logged_value = CharField(max_length=60)
        responded_day = DateField(null=True)
        response_bucket = IntegerField(null=True)
        response_ms = BigIntegerField(null=True)
        resolved_day = DateField(null=True)
        resolved_value = CharField(max_length=60, default="")
        resolution_bucket = IntegerField(null=True)
        resolution_ms = BigIntegerField(null=True)

        class Meta:
            table_name = "incidents_summary_source"

    class SummaryState(Base):
        org = ForeignKeyField(Organisation, on_delete="CASCADE", index=True)
        zone = CharField(max_length=64)
        built_at = DateTimeField(default=now)

        class Meta:
            table_name = "incidents_summary_state"
            indexes = ((("org",), True),)

    db.create_tables([DailySummary, SummarySource, SummaryState])
