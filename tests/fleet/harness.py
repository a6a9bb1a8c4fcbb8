"""The pieces of a fleet: two app servers, two workers, nginx, Redis, PostgreSQL, SMTP.

What an operator runs beyond one machine, on one machine: each ``accord serve``
and ``accord worker`` has an instance folder of its own (nothing on disk is
shared), and they share only what the README says must be shared — the
PostgreSQL database, Redis, the file store (in the database), the secret key
and the public address. nginx balances round-robin over the two servers with
the configuration the README shows (``docs/nginx.conf``). An aiosmtpd server
receives the mail.

The fleet starts once per module; it runs in the PostgreSQL pass (a SQLite file
cannot be shared between machines). With ``CI=true`` a missing nginx or Redis
is a failure, elsewhere a skip.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx2 as httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() == "true"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
REDIS_DB = 13  # a database of Redis's own for the fleet, emptied before and after
DEMO_PASSWORD = "accord-demo"
STALLED_AFTER_S = 20  # an import without its worker's heartbeat this long has stopped


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


def wait_until(check: Callable[[], Any], timeout: float, what: str, every: float = 0.2) -> Any:
    """Poll ``check`` until it returns something true; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


@dataclass
class Process:
    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            cwd=self.env["ACCORD_HOME"],
            start_new_session=True,  # its own process group, so a kill reaches its children
        )
        handle.close()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """kill -9 of the process and its group: a machine that died."""
        if self.running():
            assert self.process is not None
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if not self.running():
            return
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class Inbox:
    """Messages an aiosmtpd server on a free port received."""

    port: int
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in str(m["To"])]


@dataclass
class Fleet:
    folder: Path
    env: dict[str, str]
    servers: list[Process]
    workers: list[Process]
    balancer_url: str
    server_urls: list[str]
    inbox: Inbox
    started: float
    nginx: subprocess.Popen[bytes] | None = None
    clients: list[httpx.Client] = field(default_factory=list)
    # What the tests counted, printed after the module for the record (CI's log).
    figures: dict[str, str] = field(default_factory=dict)

    def accord(self, *args: str, home: str = "cli", check: bool = True) -> str:
        """Run an ``accord`` command as an operator would on yet another machine."""
        env = {**self.env, "ACCORD_HOME": str(self.folder / home)}
        Path(env["ACCORD_HOME"]).mkdir(exist_ok=True)
        done = subprocess.run(
            [accord_command(), *args], env=env, capture_output=True, text=True, timeout=300
        )
        if check:
            assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout + done.stderr

    def client(self, base_url: str) -> httpx.Client:
        client = httpx.Client(base_url=base_url, follow_redirects=False, timeout=30)
        self.clients.append(client)
        return client

    def close_clients(self) -> None:
        while self.clients:
            self.clients.pop().close()

    def sign_in(self, base_url: str, email: str = "admin@demo.example.com") -> httpx.Client:
        client = self.client(base_url)
        token = csrf_from(client.get("/login").text)
        response = client.post(
            "/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 303, response.text
        return client

    def add_worker(self) -> Process:
        worker = worker_process(self.folder, self.env, len(self.workers) + 1)
        worker.start()
        self.workers.append(worker)
        return worker


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def accord_command() -> str:
    """The ``accord`` of the environment running the tests (the README's venv)."""
    beside = Path(sys.executable).with_name("accord")
    return str(beside) if beside.exists() else shutil.which("accord") or "accord"


def server_process(folder: Path, env: dict[str, str], number: int, port: int) -> Process:
    home = folder / f"server{number}"
    home.mkdir(exist_ok=True)
    command = [accord_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    return Process(f"server{number}", command, {**env, "ACCORD_HOME": str(home)}, home / "log")


def worker_process(folder: Path, env: dict[str, str], number: int) -> Process:
    home = folder / f"worker{number}"
    home.mkdir(exist_ok=True)
    return Process(
        f"worker{number}",
        [accord_command(), "worker"],
        {**env, "ACCORD_HOME": str(home)},
        home / "log",
    )


def nginx_config(folder: Path, listen: int, upstreams: list[int]) -> Path:
    """``docs/nginx.conf`` with this run's ports, inside a throwaway main configuration."""
    site = (ROOT / "docs" / "nginx.conf").read_text()
    servers = "".join(
        f"    server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;\n" for port in upstreams
    )
    site, found = re.subn(
        r"(upstream accord \{\n)(?:    server [^\n]+\n)+", rf"\g<1>{servers}", site
    )
    assert found == 1, "docs/nginx.conf lost its upstream block"
    site = site.replace("listen 8000;", f"listen 127.0.0.1:{listen};")
    (folder / "site.conf").write_text(site)
    temp = folder / "nginx-temp"
    temp.mkdir(exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""
    main = f"""{user}worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {folder}/nginx-access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {folder}/site.conf;
}}
"""
    path = folder / "nginx.conf"
    path.write_text(main)
    return path


def fresh_postgres_database(base_url: str) -> str:
    import psycopg2

    parts = urlparse(base_url)
    name = f"accord_fleet_{os.getpid()}"
    admin = psycopg2.connect(parts._replace(path="/postgres").geturl(), connect_timeout=5)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return parts._replace(path=f"/{name}").geturl()


def drop_postgres_database(url: str) -> None:
    import psycopg2

    parts = urlparse(url)
    admin = psycopg2.connect(parts._replace(path="/postgres").geturl(), connect_timeout=5)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
    admin.close()


def empty_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
