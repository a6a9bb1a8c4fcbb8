"""``accord serve``: bind the port, run uvicorn's workers and supervise the helper job worker.

The port is bound here, before uvicorn starts, so a port in use is one line
and not a traceback; "running at" is printed only once the server answers.
Every stop signal (SIGTERM, SIGINT, SIGHUP) stops the server and its helper.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import click
import uvicorn
from uvicorn.supervisors import Multiprocess

from .supervision import PARENT_ENV, Supervised
from .worker import LOG_FORMAT

log = logging.getLogger("accord.serve")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # read by prometheus_client on import
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
READY_TIMEOUT = 60.0


class ServeError(Exception):
    """The server cannot start; the message says why."""


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``, shared by every uvicorn worker."""
    if not 0 < port < 65536:
        raise ServeError(f"cannot listen on port {port}: a port is a number from 1 to 65535")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except (OSError, OverflowError) as exc:
        sock.close()
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ServeError(f"cannot listen on {host}:{port}: {reason}") from None
    sock.set_inheritable(True)
    return sock


def worker_argv() -> list[str]:
    script = Path(sys.executable).with_name("accord")
    if script.exists():
        return [str(script), "worker"]
    return [sys.executable, "-c", "from accord.cli import main; main()", "worker"]


class _Server(uvicorn.Server):
    """One process: announce once uvicorn's start-up is done and the port answers."""

    announce: Callable[[], None] = staticmethod(lambda: None)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if not self.should_exit:
            self.announce()


class _Workers(Multiprocess):
    """Several processes: announce once one answers; SIGHUP stops like SIGTERM."""

    announce: Callable[[], None] = staticmethod(lambda: None)

    def init_processes(self) -> None:
        super().init_processes()
        if any(p.wait_until_ready(READY_TIMEOUT, self.should_exit) for p in self.processes):
            self.announce()

    def keep_subprocess_alive(self) -> None:
        before = {process.pid for process in self.processes}
        super().keep_subprocess_alive()
        gone = before - {process.pid for process in self.processes}
        if gone:
            from prometheus_client import multiprocess

            for pid in gone:  # its requests in flight are not in flight any more
                if pid is not None:
                    multiprocess.mark_process_dead(pid)

    def handle_hup(self) -> None:
        log.info("Received SIGHUP, exiting.")
        self.should_exit.set()


def serve(host: str, port: int, workers: int, with_worker: bool) -> None:
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    sock = bind(host, port)
    # Every process started from here on (uvicorn's workers, the helper) writes its
    # metrics to one fresh folder, and dies with this one.
    metrics_dir = tempfile.mkdtemp(prefix="accord-metrics-")
    os.environ[MULTIPROC_ENV] = metrics_dir
    os.environ[PARENT_ENV] = str(os.getpid())
    helper = Supervised("job worker", worker_argv()) if with_worker else None

    def announce() -> None:
        click.echo(f"Accord is running at http://{host}:{port}/  (Ctrl+C to stop)")
        sys.stdout.flush()  # a log file or a pipe must see it now, not at exit

    config = uvicorn.Config(
        "accord.app:asgi",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        proxy_headers=True,
    )
    try:
        if helper is not None:
            helper.start()
        if workers > 1:
            supervisor = _Workers(config, sockets=[sock])
            supervisor.announce = announce  # type: ignore[method-assign]
            supervisor.run()
        else:
            server = _Server(config)
            server.announce = announce  # type: ignore[method-assign]
            _stop_on_every_signal(server)
            server.run(sockets=[sock])
    finally:
        if helper is not None:
            helper.stop()
        sock.close()
        shutil.rmtree(metrics_dir, ignore_errors=True)


def _stop_on_every_signal(server: uvicorn.Server) -> None:
    # uvicorn handles SIGINT and SIGTERM while it runs, then raises the signal again
    # with the handlers it found: these, so that the helper is still stopped after.
    def stop(signum: int, frame: FrameType | None) -> None:
        server.handle_exit(signum, frame)

    for signum in STOP_SIGNALS:
        signal.signal(signum, stop)


__all__ = ["ServeError", "bind", "serve"]
