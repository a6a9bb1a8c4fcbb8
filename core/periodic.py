"""Periodic tasks claimed once per period, however many workers' schedulers queue them.

Every worker runs a scheduler that queues each periodic task when its time
comes, so with two workers a task is queued twice for the same period. The
first run inserts a row for (task, period start); the others find it taken
and are skipped. The database's unique index decides, so it holds across
machines.
"""

from __future__ import annotations

import datetime as dt

import peewee
from peewee import CharField, DateTimeField

from .clock import utcnow
from .db import BaseModel, database

# Claims this old are pruned; a period queued this long ago would run again.
KEEP = dt.timedelta(days=7)


class PeriodicRun(BaseModel):
    """One period of one periodic task, claimed by the worker that runs it."""

    task = CharField(max_length=200)
    period_start = DateTimeField()
    claimed_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "accord_periodic_run"
        indexes = ((("task", "period_start"), True),)


def period_start(moment: dt.datetime) -> dt.datetime:
    """The period a moment falls in: its minute, the finest step of a crontab."""
    return moment.replace(second=0, microsecond=0)


def claim(task: str, start: dt.datetime) -> bool:
    """Claim ``task``'s period beginning at ``start``; False when another run has it."""
    try:
        with database.atomic():
            PeriodicRun.create(task=task, period_start=start)
    except peewee.IntegrityError:
        return False
    PeriodicRun.delete().where(
        (PeriodicRun.task == task) & (PeriodicRun.period_start < start - KEEP)
    ).execute()
    return True
