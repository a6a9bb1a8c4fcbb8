"""Periodic tasks run once per period however many workers queue them; every run is logged."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import replace

import pytest
from huey import crontab
from huey.consumer import Scheduler, Worker

from accord import hookimpl
from accord.jobs import enqueue, make_queue
from accord.periodic import PeriodicRun
from accord.testing import manifest

RUNS: list[str] = []
NIGHT = dt.datetime(2026, 3, 2, 5, 30)  # in the past, so a queued run is ready at once


class Nightly:
    @hookimpl
    def register_tasks(self, queue):
        @queue.periodic_task(crontab(hour="5", minute="30"), name="nightly.tidy")
        def tidy():
            RUNS.append("tidy")

        @queue.task(name="nightly.report")
        def report(fail=False):
            if fail:
                raise RuntimeError("disk full\nsecond line")


@pytest.fixture(autouse=True)
def nightly(accord_plugins):
    RUNS.clear()
    accord_plugins.append((Nightly(), manifest("nightly")))


@pytest.fixture
def workers(accord_settings, accord_host, accord_db):
    """Two workers' queues on the same job store, as two `accord worker` processes."""
    settings = replace(accord_settings, data={**accord_settings.data, "jobs": {}})
    return make_queue(settings, accord_host), make_queue(settings, accord_host)


def scheduled_and_run(queue, moment, ran_at=None):
    """What a worker process does at ``moment``: huey's scheduler queues the periodic tasks
    due, and huey's worker runs what it takes from the queue (at ``ran_at`` if later)."""
    stop = threading.Event()
    Scheduler(queue, stop, interval=1, periodic=True).enqueue_periodic_tasks(moment)
    worker = Worker(queue, stop, default_delay=0.1, max_delay=1, backoff=1.15)
    while queue.pending_count():
        worker.loop(now=ran_at or moment)


def test_two_workers_run_a_periodic_task_once_for_a_period(workers):
    first, second = workers
    for_first = first.read_periodic(NIGHT)
    for_second = second.read_periodic(NIGHT)
    for queue, tasks in ((first, for_first), (second, for_second)):
        for task in tasks:
            queue.execute(task)
    assert RUNS == ["tidy"]


def test_a_period_run_late_into_the_next_minute_is_still_that_period(workers):
    first, second = workers
    scheduled_and_run(first, NIGHT + dt.timedelta(seconds=10))
    scheduled_and_run(second, NIGHT + dt.timedelta(seconds=50), ran_at=NIGHT.replace(minute=31))
    assert RUNS == ["tidy"]


def test_the_next_period_runs_again(workers):
    first, second = workers
    for night in (NIGHT, NIGHT + dt.timedelta(days=1)):
        scheduled_and_run(first, night)
        scheduled_and_run(second, night)
    assert RUNS == ["tidy", "tidy"]


def test_claims_older_than_a_week_are_pruned(workers):
    first, _ = workers
    for days in (0, 1, 8):
        scheduled_and_run(first, NIGHT + dt.timedelta(days=days))
    claims = PeriodicRun.select().where(PeriodicRun.task == "nightly.tidy")
    kept = [run.period_start for run in claims.order_by(PeriodicRun.period_start)]
    assert kept == [NIGHT + dt.timedelta(days=1), NIGHT + dt.timedelta(days=8)]


def test_a_skipped_run_is_logged(workers, caplog):
    first, second = workers
    scheduled_and_run(first, NIGHT)
    with caplog.at_level(logging.INFO, logger="accord.jobs"):
        scheduled_and_run(second, NIGHT)
    assert (
        "nightly.tidy skipped: the period from 2026-03-02 05:30:00 is claimed by another run"
        in [r.getMessage() for r in caplog.records if r.name == "accord.jobs"]
    )


def test_a_run_is_logged_with_its_duration(workers, caplog):
    first, _ = workers
    enqueue(first, "nightly.report")
    with caplog.at_level(logging.INFO, logger="accord.jobs"):
        first.execute(first.dequeue())
    (record,) = [r for r in caplog.records if r.name == "accord.jobs"]
    assert record.levelno == logging.INFO
    assert record.getMessage().startswith("nightly.report done in ")
    assert record.getMessage().endswith(" ms")


def test_a_failed_run_is_logged_with_the_errors_first_line(workers, caplog):
    first, _ = workers
    enqueue(first, "nightly.report", fail=True)
    with caplog.at_level(logging.INFO, logger="accord.jobs"):
        first.execute(first.dequeue())
    (record,) = [r for r in caplog.records if r.name == "accord.jobs"]
    assert record.levelno == logging.INFO
    assert record.getMessage().startswith("nightly.report failed in ")
    assert record.getMessage().endswith(" ms: RuntimeError: disk full")
