"""Workers' heartbeats: readiness tells whether a scheduler is alive (``accord.heartbeat``)."""

from datetime import UTC, datetime

from peewee import BooleanField, CharField, DateTimeField, IntegerField, Model


def up(migrator, db):
    def now():
        return datetime.now(UTC).replace(tzinfo=None)

    # A frozen copy of the model as it was at this migration.
    class WorkerHeartbeat(Model):
        name = CharField(max_length=200, unique=True)
        host = CharField(max_length=200)
        pid = IntegerField()
        scheduler = BooleanField(default=False)
        started_at = DateTimeField(default=now)
        last_beat = DateTimeField(default=now, index=True)

        class Meta:
            database = db
            table_name = "accord_worker_heartbeat"

    db.create_tables([WorkerHeartbeat])
