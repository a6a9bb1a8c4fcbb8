"""Background jobs: declared by plugins, queued in SQLite or Redis, run by the worker."""

from __future__ import annotations

from dataclasses import replace

import pytest

from accord import hookimpl
from accord.enablement import organisations_with
from accord.jobs import enqueue, make_queue
from accord.testing import manifest

DONE: list[str] = []


class Mailer:
    @hookimpl
    def register_tasks(self, queue):
        @queue.task(name="mailer.send")
        def send(address):
            DONE.append(address)
            return f"sent to {address}"

        self.send = send


@pytest.fixture(autouse=True)
def mailer(accord_plugins):
    DONE.clear()
    plugin = Mailer()
    accord_plugins.append((plugin, manifest("mailer")))
    return plugin


def queued(settings):
    """The settings with a real queue (the tests' default runs tasks at once)."""
    return replace(settings, data={**settings.data, "jobs": {}})


def run_next(queue):
    task = queue.dequeue()
    assert task is not None, "nothing was queued"
    return queue.execute(task)


def test_a_plugin_task_is_queued_in_sqlite_and_run_by_the_worker(
    accord_settings, accord_host, mailer
):
    queue = make_queue(queued(accord_settings), accord_host)
    assert type(queue.storage).__name__ == "SqliteStorage"
    mailer.send("ana@acme.test")
    assert DONE == []
    assert run_next(queue) == "sent to ana@acme.test"
    assert DONE == ["ana@acme.test"]


def test_the_queue_moves_to_redis_when_configured(redis_jobs, accord_settings, accord_host, mailer):
    queue = make_queue(accord_settings, accord_host)
    assert type(queue.storage).__name__ == "RedisStorage"
    mailer.send("bo@acme.test")
    assert run_next(queue) == "sent to bo@acme.test"


def test_periodic_work_finds_the_organisations_where_the_plugin_is_on(
    accord_host, org, make_org, enable_plugin
):
    make_org("other")
    enable_plugin(org, "mailer")
    assert [o.slug for o in organisations_with(accord_host, "mailer")] == ["acme"]


def test_a_page_queues_a_task_by_its_name_for_the_worker(accord_settings, accord_host):
    queue = make_queue(queued(accord_settings), accord_host)
    enqueue(queue, "mailer.send", "cy@acme.test")
    assert DONE == []
    assert run_next(queue) == "sent to cy@acme.test"


def test_in_immediate_mode_a_queued_task_runs_at_once(accord_settings, accord_host):
    enqueue(make_queue(accord_settings, accord_host), "mailer.send", "di@acme.test")
    assert DONE == ["di@acme.test"]


def test_an_unknown_task_name_is_an_error(accord_settings, accord_host):
    with pytest.raises(LookupError, match="no task named 'nobody.nothing'"):
        enqueue(make_queue(accord_settings, accord_host), "nobody.nothing")


HEARD: list[tuple[str, dict]] = []


class Announcer:
    """A plugin whose task announces what it did, and listens to announcements."""

    @hookimpl
    def register_tasks(self, queue):
        @queue.task(name="announcer.tidy")
        def tidy(org_id, fail=False):
            from accord.events import emit
            from accord.models import Organisation

            emit(Organisation.get_by_id(org_id), "announcer.tidied", {"rows": 3})
            if fail:
                raise RuntimeError("disk full")

    @hookimpl
    def handle_event(self, org, event, payload):
        HEARD.append((event, payload))


@pytest.fixture
def announcer(accord_plugins):
    HEARD.clear()
    accord_plugins.append((Announcer(), manifest("announcer", always_on=True)))


def test_a_tasks_events_are_delivered_when_it_has_run(announcer, accord_settings, accord_host, org):
    queue = make_queue(queued(accord_settings), accord_host)
    enqueue(queue, "announcer.tidy", org.id)
    assert HEARD == []
    run_next(queue)
    assert HEARD == [("announcer.tidied", {"rows": 3})]


def test_a_task_that_fails_announces_nothing(announcer, accord_settings, accord_host, org):
    queue = make_queue(queued(accord_settings), accord_host)
    enqueue(queue, "announcer.tidy", org.id, fail=True)
    run_next(queue)
    assert HEARD == []


def test_a_value_put_to_expire_is_read_back(accord_settings, accord_host):
    queue = make_queue(queued(accord_settings), accord_host)
    queue.put_expiring("import.7", 400, ttl=300)
    assert queue.get_expiring("import.7") == 400


def test_a_value_past_its_time_reads_as_gone_and_is_removed(accord_settings, accord_host):
    queue = make_queue(queued(accord_settings), accord_host)
    queue.put_expiring("import.7", 400, ttl=-1)
    assert queue.get_expiring("import.7") is None
    assert queue.storage.result_store_size() == 0


def test_redis_expires_a_value_by_itself(redis_jobs, accord_settings, accord_host):
    queue = make_queue(accord_settings, accord_host)
    queue.put_expiring("import.7", 400, ttl=300)
    assert queue.get_expiring("import.7") == 400
    assert 0 < redis_jobs.ttl(f"huey.expiring.{queue.name}.import.7") <= 300


def test_a_deleted_value_reads_as_gone(redis_jobs, accord_settings, accord_host):
    queue = make_queue(accord_settings, accord_host)
    queue.put_expiring("import.7", 400, ttl=300)
    queue.delete_expiring("import.7")
    assert queue.get_expiring("import.7") is None
