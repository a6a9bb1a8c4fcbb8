"""``accord serve`` and ``accord worker`` as operators run them: real processes, an instance in tmp.

Every wait below is a poll with a generous bound (the machine is shared), never
a timing assertion: a test fails only when something never happens.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest

ACCORD = Path(sys.executable).with_name("accord")
TOKEN = "scrape-token"
BOUND_SECONDS = 120.0

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
    # The processes run on SQLite, as the embedded default does: once is enough.
    pytest.mark.skipif(
        bool(os.environ.get("ACCORD_TEST_DATABASE_URL")), reason="runs in the SQLite pass"
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def poll(what: str, found: Callable[[], object], log: Path | None = None) -> object:
    deadline = time.monotonic() + BOUND_SECONDS
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.2)
    detail = log.read_text() if log else ""
    pytest.fail(f"{what} did not happen in {BOUND_SECONDS:.0f} s\n{detail}", pytrace=False)


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, ...


def alive(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"  # a zombie has exited


def children(pid: int) -> dict[int, str]:
    """Live child processes of ``pid``: their command lines by pid."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and fields[0] != "Z" and int(fields[1]) == pid:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                found[int(entry.name)] = cmdline
    return found


def environment(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ACCORD_", "PROMETHEUS_")) and k != "CI"
    }
    return {
        **env,
        "ACCORD_HOME": str(home),
        "ACCORD_SECRET_KEY": "serving-test-key",
        "ACCORD_METRICS_TOKEN": TOKEN,
    }


def accord(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ACCORD), *args],
        env=environment(home),
        capture_output=True,
        text=True,
        timeout=BOUND_SECONDS,
    )


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def helper(self) -> int | None:
        found = [pid for pid, cmd in children(self.process.pid).items() if " worker" in cmd]
        return found[0] if found else None

    def metrics(self) -> str:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        return httpx2.get(f"{self.url}/metrics", headers=headers).text


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("serving")
    result = accord(folder, "init")
    assert result.returncode == 0, result.stderr
    return folder


def start(home: Path, *args: str) -> Served:
    port = free_port()
    log = home / f"serve-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(ACCORD), "serve", "--port", str(port), *args],
            env=environment(home),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: the clean-up below reaches every child
        )
    served = Served(process, port, log)
    poll("'running at'", lambda: "running at" in log.read_text() or process.poll() is not None)
    assert process.poll() is None, log.read_text()
    return served


def stop(served: Served) -> None:
    """Whatever a test left running: the whole process group, killed."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(served.process.pid, signal.SIGKILL)
    served.process.wait()


@pytest.fixture(scope="module")
def server(home: Path) -> Iterator[Served]:
    served = start(home, "--workers", "2", "--with-worker")
    yield served
    stop(served)


@pytest.fixture
def own_server(home: Path) -> Iterator[Callable[..., Served]]:
    """``own_server(*args)``: a server of this test's own, for tests that stop it."""
    started: list[Served] = []

    def run(*args: str) -> Served:
        started.append(start(home, *args))
        return started[-1]

    yield run
    for served in started:
        stop(served)


def test_running_at_is_printed_once_the_server_answers(server):
    # No retry: by the time the line is out, the port is bound and answering.
    assert httpx2.get(f"{server.url}/healthz").json() == {"status": "ok"}


def test_the_server_is_ready_once_its_worker_beats(server):
    poll("readiness", lambda: httpx2.get(f"{server.url}/readyz").status_code == 200, server.log)


def test_a_scrape_adds_up_every_uvicorn_worker(server):
    for _ in range(6):
        httpx2.get(f"{server.url}/login", headers={"Connection": "close"})
    assert (
        'accord_http_request_duration_seconds_count{method="GET",route="auth:login",'
        'status="2xx"} 6.0' in server.metrics()
    )


def test_a_scrape_counts_the_helper_workers_job_runs(server):
    def job_runs() -> bool:
        return any(
            line.startswith("accord_job_runs_total{") and not line.endswith(" 0.0")
            for line in server.metrics().splitlines()
        )

    poll("a job run in the metrics", job_runs, server.log)


def test_a_helper_worker_that_dies_is_started_again(server):
    first = poll("the helper worker", server.helper, server.log)
    os.kill(first, signal.SIGKILL)
    poll("a new helper worker", lambda: server.helper() not in (None, first), server.log)
    assert "restarting it in" in server.log.read_text()


def test_a_port_in_use_is_one_line(server, home):
    result = accord(home, "serve", "--port", str(server.port))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: cannot listen on 127.0.0.1:{server.port}: Address already in use"
    ]


def test_a_port_out_of_range_is_one_line(home):
    result = accord(home, "serve", "--port", "99999")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Error: cannot listen on port 99999: a port is a number from 1 to 65535"
    ]


def test_sigterm_stops_the_server_and_its_helper(own_server):
    own_server = own_server("--with-worker")  # one process: uvicorn's own signal handling
    poll("the helper worker", own_server.helper, own_server.log)
    family = children(own_server.process.pid)
    own_server.process.send_signal(signal.SIGTERM)
    own_server.process.wait(timeout=BOUND_SECONDS)
    poll("every child gone", lambda: not any(alive(pid) for pid in family), own_server.log)


def test_children_exit_when_the_server_is_killed(own_server):
    own_server = own_server("--workers", "2", "--with-worker")
    poll("the helper worker", own_server.helper, own_server.log)
    family = children(own_server.process.pid)
    assert len([cmd for cmd in family.values() if "spawn_main" in cmd]) == 2
    os.kill(own_server.process.pid, signal.SIGKILL)
    own_server.process.wait()
    poll("every child gone", lambda: not any(alive(pid) for pid in family), own_server.log)
    with socket.socket() as sock:  # and a new server can take the port at once
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", own_server.port))


def uvicorn_workers(served: Served) -> list[int]:
    return [pid for pid, cmd in children(served.process.pid).items() if "spawn_main" in cmd]


def established_to(pid: int, port: int) -> int:
    """How many connections to ``port`` the process ``pid`` holds open (from /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01" and fields[9] in inodes:  # 01: established
                count += 1
    return count


@contextlib.contextmanager
def keep_alive_connections(served: Served, count: int) -> Iterator[list[int]]:
    """``count`` connections opened at once, each answered once and kept open."""
    sockets = [socket.create_connection(("127.0.0.1", served.port)) for _ in range(count)]
    try:
        request = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"
        for sock in sockets:
            sock.sendall(request)
        statuses = []
        for sock in sockets:
            sock.settimeout(BOUND_SECONDS)
            statuses.append(int(sock.recv(4096).split(b" ", 2)[1]))
        yield statuses
    finally:
        for sock in sockets:
            sock.close()


def test_keep_alive_connections_are_spread_over_every_worker(server):
    workers = uvicorn_workers(server)
    assert len(workers) == 2
    # 16 connections all on one of 2 workers by chance: 2 in 65,536 with the kernel's hash.
    with keep_alive_connections(server, 16) as statuses:
        assert statuses == [200] * 16
        held = [established_to(pid, server.port) for pid in workers]
    assert sum(held) == 16
    assert all(held), held


def test_a_worker_that_dies_is_replaced_on_its_socket(own_server):
    own_server = own_server("--workers", "2")
    first, second = uvicorn_workers(own_server)
    os.kill(first, signal.SIGKILL)
    poll(
        "a new worker",
        lambda: len(set(uvicorn_workers(own_server)) - {first, second}) == 1,
        own_server.log,
    )
    # Connections the kernel hashes to the dead worker's socket reach its replacement.
    with keep_alive_connections(own_server, 16) as statuses:
        assert statuses == [200] * 16


# accord worker


@pytest.fixture
def start_worker(home: Path) -> Iterator[Callable[..., tuple[subprocess.Popen[bytes], Path]]]:
    started: list[subprocess.Popen[bytes]] = []

    def run(*args: str, **env: str) -> tuple[subprocess.Popen[bytes], Path]:
        log = home / f"worker-{len(started)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(ACCORD), "worker", *args],
                env={**environment(home), **env},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started.append(process)
        return process, log

    yield run
    for process in started:
        process.kill()
        process.wait()


def heartbeats(home: Path) -> list[tuple[int, int]]:
    """``(pid, runs the scheduler)`` of every worker's heartbeat row."""
    with sqlite3.connect(home / "accord.db") as conn:
        return list(conn.execute("SELECT pid, scheduler FROM accord_worker_heartbeat"))


def test_a_worker_beats_without_the_scheduler_and_removes_its_beat_on_exit(home, start_worker):
    process, log = start_worker("--no-scheduler")
    poll("a heartbeat", lambda: (process.pid, 0) in heartbeats(home), log)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=BOUND_SECONDS)
    assert (process.pid, 0) not in heartbeats(home)


def test_the_worker_logs_info_lines_with_a_timestamp(home, start_worker):
    process, log = start_worker("--no-scheduler")
    timestamped = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ INFO accord\.worker: ", re.M)
    poll("a timestamped INFO line", lambda: timestamped.search(log.read_text()), log)
    assert "scheduler off" in log.read_text()


def test_an_unreachable_redis_is_one_line_retried(start_worker):
    process, log = start_worker(ACCORD_REDIS_URL="redis://127.0.0.1:1/0")
    poll("a second attempt", lambda: log.read_text().count("job queue unreachable") >= 2, log)
    assert "Traceback" not in log.read_text()


def test_an_unreachable_database_is_one_line_retried(start_worker):
    process, log = start_worker(ACCORD_DATABASE_URL="postgresql://nobody@127.0.0.1:1/accord")
    poll("a second attempt", lambda: log.read_text().count("database unreachable") >= 2, log)
    assert "Traceback" not in log.read_text()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """A throwaway redis-server on a free loopback port."""
    if not shutil.which("redis-server"):
        if os.environ.get("CI", "").lower() == "true":  # in CI a missing component fails
            pytest.fail("redis-server is not installed")
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    yield process, f"redis://127.0.0.1:{port}/0"
    process.kill()
    process.wait()


def test_a_redis_lost_while_running_is_one_line_not_a_traceback(start_worker, redis_server):
    redis, url = redis_server
    process, log = start_worker("--no-scheduler", ACCORD_REDIS_URL=url)
    poll("the worker's start", lambda: "worker started" in log.read_text(), log)
    redis.kill()
    poll(
        "the lost queue",
        lambda: "Error reading from queue: ConnectionError" in log.read_text(),
        log,
    )
    assert "Traceback" not in log.read_text()


def test_a_worker_serves_its_own_metrics_when_asked(start_worker):
    port = free_port()
    process, log = start_worker("--no-scheduler", "--metrics-port", str(port))
    poll(
        "the worker's metrics",
        lambda: f"metrics at http://127.0.0.1:{port}/" in log.read_text(),
        log,
    )
    assert "accord_job_runs_total" in httpx2.get(f"http://127.0.0.1:{port}/metrics").text
