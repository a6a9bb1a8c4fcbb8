"""/metrics: Prometheus text for those allowed to read it, labelled by route name."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from accord import hookimpl
from accord.testing import manifest

TOKEN = "scrape-me"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


class Reports:
    @hookimpl
    def register_tasks(self, queue):
        @queue.task(name="reports.build")
        def build():
            return "built"

        @queue.task(name="reports.explode")
        def explode():
            raise RuntimeError("no data")

        self.build, self.explode = build, explode


@pytest.fixture
def reports(accord_plugins):
    plugin = Reports()
    accord_plugins.append((plugin, manifest("reports")))
    return plugin


@pytest.fixture
def with_token(accord_settings):
    accord_settings.data["metrics"] = {"token": TOKEN}


def sample(client, name, **labels):
    """The value of one sample in a fresh scrape (0 when it is not there yet)."""
    text = client.get("/metrics", headers=BEARER).text
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return found.value
    return 0.0


def test_metrics_do_not_exist_until_configured(client):
    assert client.get("/metrics").status_code == 404


def test_metrics_need_the_token(client, with_token):
    response = client.get("/metrics")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_wrong_token_is_refused(client, with_token):
    assert client.get("/metrics", headers={"Authorization": "Bearer guess"}).status_code == 401


def test_the_token_reads_the_prometheus_text(client, with_token):
    response = client.get("/metrics", headers=BEARER)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert "accord_http_requests_in_flight" in response.text


def test_requests_are_counted_by_route_name_method_and_status_class(client, with_token):
    labels = {"route": "auth:login", "method": "GET", "status": "2xx"}
    before = sample(client, "accord_http_request_duration_seconds_count", **labels)
    client.get("/login")
    client.get("/login")
    assert sample(client, "accord_http_request_duration_seconds_count", **labels) == before + 2


def test_an_unknown_path_is_labelled_unmatched_never_by_its_path(client, with_token):
    client.get("/no/such/page-4711")
    text = client.get("/metrics", headers=BEARER).text
    assert 'route="unmatched"' in text
    assert "page-4711" not in text


def test_internal_addresses_may_read_without_a_token_when_allowed(app, accord_settings):
    accord_settings.data["metrics"] = {"allow_internal": True}
    assert TestClient(app, client=("127.0.0.1", 5000)).get("/metrics").status_code == 200
    assert TestClient(app, client=("10.1.2.3", 5000)).get("/metrics").status_code == 200


def test_outside_addresses_may_not_read_without_a_token(app, accord_settings):
    accord_settings.data["metrics"] = {"allow_internal": True}
    assert TestClient(app, client=("203.0.113.9", 5000)).get("/metrics").status_code == 404


def test_job_runs_are_counted_by_task_name(reports, client, with_token):
    before = sample(client, "accord_job_runs_total", task="reports.build")
    reports.build()
    assert sample(client, "accord_job_runs_total", task="reports.build") == before + 1


def test_job_failures_are_counted_by_task_name(reports, client, with_token):
    before = sample(client, "accord_job_failures_total", task="reports.explode")
    reports.explode()  # huey logs the error; the caller is not told
    assert sample(client, "accord_job_failures_total", task="reports.explode") == before + 1


def test_the_queue_depth_is_read_at_scrape_time(client, with_token):
    assert sample(client, "accord_queue_up") == 1
    assert sample(client, "accord_queue_depth") == 0
