"""The ``fleet`` fixture: the processes of ``harness.py`` started once per module."""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import (
    NGINX,
    REDIS_DB,
    STALLED_AFTER_S,
    Fleet,
    Inbox,
    answers,
    drop_postgres_database,
    empty_redis,
    free_port,
    fresh_postgres_database,
    nginx_config,
    server_process,
    unavailable,
    wait_until,
)


@pytest.fixture(scope="module")
def fleet(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Fleet]:
    base = os.environ.get("ACCORD_TEST_DATABASE_URL", "")
    if not base.startswith("postgres"):
        pytest.skip("the fleet shares one PostgreSQL database (it runs in the PostgreSQL pass)")
    if not Path(NGINX).exists():
        unavailable("nginx is not installed (apt-get install nginx-light)")
    redis_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    try:
        empty_redis(redis_url)
    except Exception as exc:  # noqa: BLE001 - any reason Redis is not there
        unavailable(f"Redis is not answering at {redis_url}: {exc}")
    from aiosmtpd.controller import Controller

    folder = tmp_path_factory.mktemp("fleet")
    database_url = fresh_postgres_database(base)
    inbox = Inbox(free_port())
    smtp = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    smtp.start()
    balancer_port = free_port()
    ports = [free_port(), free_port()]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ACCORD_", "PROMETHEUS_"))
    }
    # Settings of the instance's configuration file, the same on every machine.
    config = folder / "accord.toml"
    # The SMTP server is a local one: the instance must allow it by name.
    config.write_text(
        f"[plugins.contacts]\nimport_stalled_after_s = {STALLED_AFTER_S}\n"
        '[mail]\nallowed_smtp_hosts = ["127.0.0.1"]\n'
    )
    env.update(
        {
            "ACCORD_CONFIG": str(config),
            "ACCORD_DATABASE_URL": database_url,
            "ACCORD_REDIS_URL": redis_url,
            "ACCORD_SECRET_KEY": secrets.token_urlsafe(48),
            "ACCORD_FILE_STORE": "database",
            "ACCORD_PUBLIC_URL": f"http://127.0.0.1:{balancer_port}",
            "ACCORD_METRICS_TOKEN": "fleet-metrics-token",
        }
    )
    fleet = Fleet(
        folder=folder,
        env=env,
        servers=[server_process(folder, env, n + 1, port) for n, port in enumerate(ports)],
        workers=[],
        balancer_url=f"http://127.0.0.1:{balancer_port}",
        server_urls=[f"http://127.0.0.1:{port}" for port in ports],
        inbox=inbox,
        started=time.time(),
    )
    try:
        fleet.accord("migrate")
        fleet.accord("demo")
        for server in fleet.servers:
            server.start()
        for _ in range(2):
            fleet.add_worker()
        with (folder / "nginx-stderr.log").open("wb") as errors:
            fleet.nginx = subprocess.Popen(
                [NGINX, "-c", str(nginx_config(folder, balancer_port, ports)), "-p", str(folder)],
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )
        for url in [*fleet.server_urls, fleet.balancer_url]:
            wait_until(lambda url=url: answers(url), 60, f"{url}/healthz")
        fleet.started = time.time()
        yield fleet
    finally:
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        if reporter is not None and capture is not None and fleet.figures:
            with capture.global_and_fixture_disabled():  # teardown output is captured
                reporter.write_line("")
                for name, value in fleet.figures.items():
                    reporter.write_line(f"fleet: {name}: {value}")
        if fleet.nginx is not None:
            fleet.nginx.terminate()
            fleet.nginx.wait(timeout=10)
        for process in [*fleet.servers, *fleet.workers]:
            process.stop()
        smtp.stop()
        drop_postgres_database(database_url)
        empty_redis(redis_url)


@pytest.fixture(autouse=True)
def _close_clients(fleet: Fleet) -> Iterator[None]:
    yield
    fleet.close_clients()
