"""Tasks queued by a page or a task reach the (real, Redis) queue only once that one committed."""

from __future__ import annotations

import pytest
from starlette.responses import HTMLResponse

from accord import Page, form_data, hookimpl
from accord.jobs import enqueue, make_queue
from accord.testing import manifest, post_form

# How many tasks were in Redis while the view (or task) that queued one was still open.
WHILE_OPEN: list[int] = []


class Signup:
    """A page that queues a welcome email, and a task that queues a follow-up."""

    @hookimpl
    def register_tasks(self, queue):
        @queue.task(name="signup.welcome")
        def welcome(address, fail=False):
            enqueue(queue, "signup.follow_up", address)
            WHILE_OPEN.append(queue.pending_count())
            if fail:
                raise RuntimeError("mail server refused")

        @queue.task(name="signup.follow_up")
        def follow_up(address):
            return None

    @hookimpl
    def register_routes(self):
        def join(request):
            queue = request.app.state.accord.queue
            enqueue(request, "signup.welcome", "ana@acme.test")
            WHILE_OPEN.append(queue.pending_count())
            if form_data(request).get("fail"):
                raise RuntimeError("the view failed after queueing")
            return HTMLResponse("joined")

        return [Page("/join", join, name="join", methods=("GET", "POST"))]


@pytest.fixture(autouse=True)
def signup(redis_jobs, accord_plugins):
    WHILE_OPEN.clear()
    accord_plugins.append((Signup(), manifest("signup")))


@pytest.fixture
def joining(signed_in, org, enable_plugin):
    enable_plugin(org, "signup")
    return signed_in("admin")


def queued_names(queue):
    return [type(task).__name__ for task in queue.pending()]


def test_the_queue_is_in_redis(app):
    assert type(app.state.accord.queue.storage).__name__ == "RedisStorage"


def test_a_pages_task_reaches_redis_only_after_its_transaction_committed(app, joining):
    response = post_form(joining, "/o/acme/signup/join")
    assert response.status_code == 200
    assert WHILE_OPEN == [0]
    assert queued_names(app.state.accord.queue) == ["signup.welcome"]


def test_a_page_that_fails_after_queueing_leaves_nothing_in_redis(app, joining):
    assert post_form(joining, "/o/acme/signup/join", {"fail": "1"}).status_code == 500
    assert WHILE_OPEN == [0]
    assert app.state.accord.queue.pending_count() == 0


def test_a_tasks_own_tasks_reach_redis_when_it_has_returned(accord_settings, accord_host):
    queue = make_queue(accord_settings, accord_host)
    enqueue(queue, "signup.welcome", "bo@acme.test")
    queue.execute(queue.dequeue())
    assert WHILE_OPEN == [0]
    assert queued_names(queue) == ["signup.follow_up"]


def test_a_task_that_fails_queues_nothing(accord_settings, accord_host):
    queue = make_queue(accord_settings, accord_host)
    enqueue(queue, "signup.welcome", "cy@acme.test", fail=True)
    queue.execute(queue.dequeue())
    assert queue.pending_count() == 0


def test_what_tasks_return_is_not_kept_in_redis(accord_settings, accord_host, redis_jobs):
    queue = make_queue(accord_settings, accord_host)
    enqueue(queue, "signup.follow_up", "di@acme.test")
    queue.execute(queue.dequeue())
    assert not redis_jobs.exists(queue.storage.result_key)
