"""Probes: /healthz says the process answers, /readyz names the dependencies that do not."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from accord.app import create_app
from accord.clock import utcnow
from accord.heartbeat import Heartbeat, WorkerHeartbeat
from accord.host import build_host
from accord.settings import load_settings


@pytest.fixture
def scheduler_alive(accord_db):
    beat = Heartbeat(scheduler=True)
    beat.beat()
    return beat


@pytest.fixture
def unreachable_database_app(tmp_path):
    settings = load_settings(
        {
            "ACCORD_HOME": str(tmp_path),
            "ACCORD_SECRET_KEY": "k",
            "ACCORD_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/nothing",
        }
    )
    settings.data["jobs"]["immediate"] = True
    return create_app(settings, build_host(settings, entry_points=False), require_migrated=False)


def with_jobs(accord_settings, **jobs):
    return replace(accord_settings, data={**accord_settings.data, "jobs": jobs})


def test_healthz_answers_while_the_process_runs(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["cache-control"] == "no-store"


def test_healthz_answers_even_when_the_database_does_not(unreachable_database_app):
    assert TestClient(unreachable_database_app).get("/healthz").status_code == 200


def test_readyz_is_ready_when_database_queue_and_scheduler_answer(client, scheduler_alive):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert set(response.json()["checks"]) == {"database", "queue", "scheduler"}
    assert response.headers["cache-control"] == "no-store"


def test_readyz_names_a_missing_scheduler(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["scheduler"]
    assert "no worker running the scheduler" in response.json()["checks"]["scheduler"]["detail"]


def test_a_stale_heartbeat_is_a_missing_scheduler(client, scheduler_alive):
    WorkerHeartbeat.update(last_beat=utcnow() - timedelta(minutes=5)).execute()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "300 s old" in response.json()["checks"]["scheduler"]["detail"]


def test_a_worker_without_the_scheduler_does_not_count_as_one(client, accord_db):
    Heartbeat(scheduler=False).beat()
    assert client.get("/readyz").json()["failing"] == ["scheduler"]


def test_the_scheduler_can_be_reported_without_being_required(client, accord_settings):
    accord_settings.data["health"] = {"require_scheduler": False}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["scheduler"]["ok"] is False


def test_readyz_names_an_unreachable_database(unreachable_database_app):
    response = TestClient(unreachable_database_app).get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database", "scheduler"]


def test_readyz_names_an_unreachable_redis(accord_settings, accord_host, accord_db):
    settings = with_jobs(accord_settings, redis_url="redis://127.0.0.1:1/0")
    response = TestClient(create_app(settings, accord_host)).get("/readyz")
    assert "queue" in response.json()["failing"]
    assert "Connection" in response.json()["checks"]["queue"]["detail"]


def test_readyz_names_a_missing_sqlite_queue_file(
    accord_settings, accord_host, accord_db, scheduler_alive
):
    settings = with_jobs(accord_settings)
    client = TestClient(create_app(settings, accord_host))
    assert client.get("/readyz").status_code == 200
    (settings.home / "jobs.db").unlink()
    response = client.get("/readyz")
    assert response.json()["failing"] == ["queue"]


def test_a_worker_that_stops_cleanly_removes_its_heartbeat(accord_db):
    beat = Heartbeat(scheduler=True, interval=60)
    beat.start()
    assert WorkerHeartbeat.select().count() == 1
    beat.stop()
    assert WorkerHeartbeat.select().count() == 0
