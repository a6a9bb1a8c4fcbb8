"""Workers' heartbeats: each ``accord worker`` says every few seconds that it is alive."""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime, timedelta

import peewee
from peewee import BooleanField, CharField, DateTimeField, IntegerField

from .clock import utcnow
from .db import BaseModel, database

log = logging.getLogger("accord.heartbeat")

INTERVAL_SECONDS = 15.0
# Six missed beats: a worker busy with a long task still beats (the beat is a thread).
STALE_SECONDS = 90.0
# Rows of workers killed without a clean exit are removed after a day.
FORGET_AFTER = timedelta(days=1)


class WorkerHeartbeat(BaseModel):
    name = CharField(max_length=200, unique=True)
    host = CharField(max_length=200)
    pid = IntegerField()
    scheduler = BooleanField(default=False)
    started_at = DateTimeField(default=utcnow)
    last_beat = DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "accord_worker_heartbeat"


def newest_scheduler_beat() -> datetime | None:
    """When a worker that runs the periodic scheduler last said it was alive."""
    return (
        WorkerHeartbeat.select(peewee.fn.MAX(WorkerHeartbeat.last_beat))
        .where(WorkerHeartbeat.scheduler == True)  # noqa: E712 - a peewee expression
        .scalar()
    )


class Heartbeat:
    """A thread that records this worker's beat until ``stop()``, which removes it."""

    def __init__(self, *, scheduler: bool, interval: float = INTERVAL_SECONDS) -> None:
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.name = f"{self.host}:{self.pid}"
        self.scheduler = scheduler
        self.interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="accord-heartbeat", daemon=True)
        self._failing = False

    def start(self) -> None:
        self.beat()
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)
        try:
            with database.connection_context():
                WorkerHeartbeat.delete().where(WorkerHeartbeat.name == self.name).execute()
        except (peewee.DatabaseError, peewee.InterfaceError) as exc:
            log.warning("could not remove this worker's heartbeat: %s", exc)

    def beat(self) -> None:
        """Record one beat; a database that does not answer is logged in one line."""
        now = utcnow()
        try:
            with database.connection_context():
                (
                    WorkerHeartbeat.insert(
                        name=self.name,
                        host=self.host,
                        pid=self.pid,
                        scheduler=self.scheduler,
                        started_at=now,
                        last_beat=now,
                    )
                    .on_conflict(
                        conflict_target=[WorkerHeartbeat.name],
                        update={
                            WorkerHeartbeat.last_beat: now,
                            WorkerHeartbeat.scheduler: self.scheduler,
                        },
                    )
                    .execute()
                )
                WorkerHeartbeat.delete().where(
                    WorkerHeartbeat.last_beat < now - FORGET_AFTER
                ).execute()
        except (peewee.DatabaseError, peewee.InterfaceError) as exc:
            if not self._failing:
                log.error("heartbeat not recorded, database unreachable: %s", exc)
            self._failing = True
            return
        if self._failing:
            log.info("heartbeat recorded again")
        self._failing = False

    def _run(self) -> None:
        while not self._stopped.wait(self.interval):
            self.beat()
