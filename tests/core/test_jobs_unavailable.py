"""A queue that does not answer: a clear error, and a 503 page that says nothing was lost."""

from __future__ import annotations

import pytest
from starlette.responses import HTMLResponse

from accord import Page, QueueUnavailable, hookimpl
from accord.jobs import enqueue, make_queue
from accord.models import Organisation
from accord.testing import manifest, post_form


class Reminders:
    @hookimpl
    def register_tasks(self, queue):
        @queue.task(name="reminders.send")
        def send(note):
            return None

    @hookimpl
    def register_routes(self):
        def remind(request):
            org = request.state.ctx.org
            Organisation.update(name="Renamed").where(Organisation.id == org.id).execute()
            enqueue(request, "reminders.send", "call back")
            return HTMLResponse("reminder set")

        return [Page("/remind", remind, name="remind", methods=("GET", "POST"))]


@pytest.fixture(autouse=True)
def reminders(unanswering_jobs, accord_plugins):
    accord_plugins.append((Reminders(), manifest("reminders")))


def test_queueing_outside_a_request_says_the_queue_is_not_answering(accord_settings, accord_host):
    queue = make_queue(accord_settings, accord_host)
    with pytest.raises(QueueUnavailable, match="the background job queue is not answering"):
        enqueue(queue, "reminders.send", "call back")


def test_a_page_that_queues_answers_503_saying_nothing_was_lost(signed_in, org, enable_plugin):
    enable_plugin(org, "reminders")
    response = post_form(signed_in("admin"), "/o/acme/reminders/remind")
    assert response.status_code == 503
    assert "The background queue is not answering" in response.text
    assert "Nothing was lost" in response.text
    assert response.headers["Retry-After"] == "30"


def test_a_page_that_could_not_queue_saves_nothing(signed_in, org, enable_plugin):
    enable_plugin(org, "reminders")
    post_form(signed_in("admin"), "/o/acme/reminders/remind")
    assert Organisation.get_by_id(org.id).name == org.name != "Renamed"
