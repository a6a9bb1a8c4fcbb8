#!/usr/bin/env python3
"""Throughput of ``accord serve --workers N`` under ``wrk``, against a bare Starlette app.

Serves an instance that ``bench/contacts.py --keep`` built (``--home``; add
``--database`` when it lives in PostgreSQL) with ``accord serve --workers 2``
exactly as an operator starts it, and measures, on the same machine:

- cold start: from exec of ``accord serve`` to the first 200 on ``/healthz``;
- requests per second with ``wrk`` (``--connections`` keep-alive connections
  for ``--duration`` seconds) on the signed-in people list page and on
  ``/healthz``, and on a bare Starlette route served by uvicorn with the same
  number of workers (the ratio is what issue 12 sets goals for);
- how the requests spread over the workers: each worker's request count,
  read from the Prometheus files every worker writes;
- each worker's resident memory after the runs (thousands of requests each).

    .venv/bin/python bench/throughput.py --home /tmp/accord-contacts-bench-XXXX
    .venv/bin/python bench/throughput.py --home /tmp/accord-contacts-bench-YYYY \\
        --database postgresql://postgres@127.0.0.1:5432/accord_bench_contacts

Only loopback traffic; every loop is bounded by the arguments. Needs ``wrk``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

SECRET = "bench-secret-key-not-for-production"  # bench/contacts.py's
EMAIL = "bench@bench.example"
LIST_PAGE = "/o/bench/contacts/people/"
BARE_APP = """
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

PAGE = "<!doctype html><title>bare</title><p>" + "x" * 2000 + "</p>"


async def bare(request):
    return HTMLResponse(PAGE)


app = Starlette(routes=[Route("/", bare)])
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environ(args: argparse.Namespace, tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ACCORD_HOME=args.home,
        ACCORD_SECRET_KEY=SECRET,
        ACCORD_DATABASE_URL=args.database or f"sqlite:///{Path(args.home) / 'accord.db'}",
        TMPDIR=str(tmp),  # where ``serve`` makes its metrics folder: read per worker below
    )
    # An installed Accord runs from compiled bytecode; a start that compiles every
    # module (PYTHONDONTWRITEBYTECODE) is not what an operator sees.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def compile_bytecode(env: dict[str, str]) -> None:
    code = (
        "import compileall, accord, accord.plugins\n"
        "for folder in [*accord.__path__, *accord.plugins.__path__]:\n"
        "    compileall.compile_dir(folder, quiet=1)\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def session_cookie(env: dict[str, str]) -> str:
    """A fresh session for the bench user, started through Accord's own API."""
    code = (
        "from accord import sessions\n"
        "from accord.db import database, open_database\n"
        "from accord.models import User\n"
        "from accord.settings import load_settings\n"
        "import os\n"
        "open_database(load_settings(os.environ))\n"
        "with database.connection_context():\n"
        f"    print(sessions.start(User.get(User.email == {EMAIL!r}))[0])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    return f"accord_session={out.stdout.strip().splitlines()[-1]}"


def get(url: str, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return int(response.status)
    except OSError:
        return 0


def wait_for_200(url: str, proc: subprocess.Popen[bytes], started: float) -> float:
    while time.perf_counter() - started < 60:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        if get(url) == 200:
            return time.perf_counter() - started
        time.sleep(0.005)
    raise SystemExit(f"{url} did not answer within 60 s")


def uvicorn_workers(pid: int) -> list[int]:
    """The children of ``accord serve`` that serve HTTP (not multiprocessing's tracker)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(int(child))
    return found


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def requests_per_worker(tmp: Path) -> dict[int, int]:
    """Each worker's answered requests, from the histogram files of ``prometheus_client``."""
    from prometheus_client.mmap_dict import MmapedDict

    counts: dict[int, int] = {}
    for path in tmp.glob("accord-metrics-*/histogram_*.db"):
        pid = int(re.findall(r"\d+", path.name)[-1])
        total = 0
        for key, value, _ts, _pos in MmapedDict.read_all_values_from_file(str(path)):
            _metric, sample, _labels, _help = json.loads(key)
            if sample.endswith("_bucket"):  # each bucket on its own here, not cumulative
                total += int(value)
        counts[pid] = total
    return counts


def wrk(url: str, args: argparse.Namespace, header: str | None = None) -> dict[str, Any]:
    command = ["wrk", f"-t{min(args.connections, 2)}", f"-c{args.connections}"]
    command += [f"-d{args.duration}s", "--latency", "--timeout", "10s"]
    if header:
        command += ["-H", header]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.MULTILINE))
    return {
        "rps": rate,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "p50": latency.get("50"),
        "p99": latency.get("99"),
    }


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def measure_accord(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    env = environ(args, tmp)
    compile_bytecode(env)
    cookie = session_cookie(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    accord = Path(sys.executable).with_name("accord")
    command = [str(accord), "serve", "--port", str(port), "--workers", str(args.workers)]
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        cold = wait_for_200(f"{base}/healthz", proc, started)
        workers = uvicorn_workers(proc.pid)
        # CPU a worker spent starting (imports, plugins, app): the machine is shared,
        # so the wall-clock figure above depends on who else runs.
        start_cpu = [round(cpu_seconds(pid), 2) for pid in workers]
        time.sleep(2)  # every worker up, not only the first
        assert get(base + LIST_PAGE, {"Cookie": cookie}) == 200, "the list page did not answer"
        result: dict[str, Any] = {"cold_start_s": round(cold, 3), "start_cpu_s": start_cpu}
        for name, url, header in (
            ("list", base + LIST_PAGE, f"Cookie: {cookie}"),
            ("healthz", f"{base}/healthz", None),
        ):
            before, cpu_before = requests_per_worker(tmp), sum(map(cpu_seconds, workers))
            run = result[name] = wrk(url, args, header)
            after, cpu_after = requests_per_worker(tmp), sum(map(cpu_seconds, workers))
            served = [after.get(pid, 0) - before.get(pid, 0) for pid in workers]
            run["per_worker"] = sorted(served, reverse=True)
            run["cpu_ms_per_request"] = round(
                1000 * (cpu_after - cpu_before) / max(sum(served), 1), 2
            )
            result.setdefault("rss_mb", {})[name] = [round(rss_mb(pid)) for pid in workers]
        result["requests_per_worker_total"] = sorted(
            (after.get(pid, 0) for pid in workers), reverse=True
        )
        return result
    finally:
        stop(proc)


def measure_bare(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    (tmp / "bare_app.py").write_text(BARE_APP)
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--app-dir", str(tmp), "bare_app:app"]
    command += ["--port", str(port), "--workers", str(args.workers), "--log-level", "warning"]
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_200(f"http://127.0.0.1:{port}/", proc, started)
        time.sleep(2)
        return wrk(f"http://127.0.0.1:{port}/", args)
    finally:
        stop(proc)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True, help="an instance kept by bench/contacts.py")
    parser.add_argument("--database", help="its PostgreSQL URL, when it is not SQLite")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", type=int, default=20, help="seconds per wrk run")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="accord-throughput-"))
    try:
        accord = measure_accord(args, tmp)
        bare = measure_bare(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    figures = {"accord": accord, "bare": bare, "loadavg": os.getloadavg()[0]}
    kind = "PostgreSQL" if args.database else "SQLite"
    print(f"{kind}, {args.workers} workers, wrk {args.connections} connections {args.duration} s, "
          f"{os.cpu_count()} CPUs, load average {figures['loadavg']:.1f}")  # fmt: skip
    print(f"cold start (exec to first 200 on /healthz): {accord['cold_start_s']:.2f} s; "
          f"CPU each worker spent starting: {accord['start_cpu_s']} s")  # fmt: skip
    for name in ("list", "healthz"):
        run = accord[name]
        print(f"{name:<8} {run['rps']:>8.1f} req/s  {100 * run['rps'] / bare['rps']:5.1f} % of bare"
              f"  p50 {run['p50']}  p99 {run['p99']}  CPU {run['cpu_ms_per_request']} ms/request"
              f"  per worker {run['per_worker']}  non-2xx {run['non_2xx']}")  # fmt: skip
    print(f"bare     {bare['rps']:>8.1f} req/s  p50 {bare['p50']}  p99 {bare['p99']}")
    print(f"worker RSS (MB) after the list run: {accord['rss_mb']['list']}, "
          f"after /healthz: {accord['rss_mb']['healthz']} "
          f"(requests served: {accord['requests_per_worker_total']})")  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
