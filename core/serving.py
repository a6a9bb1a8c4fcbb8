"""``accord serve``: bind the port, run uvicorn's workers and supervise the helper job worker.

The port is bound here, before uvicorn starts, so a port in use is one line
and not a traceback; "running at" is printed only once the server answers.
Every stop signal (SIGTERM, SIGINT, SIGHUP) stops the server and its helper.

With several workers each one gets a listening socket of its own on the same
port (``SO_REUSEPORT``), and the kernel spreads new connections over them. On
one shared socket the worker that happens to be awake accepts every waiting
connection at once (asyncio accepts in a loop), so under keep-alive one worker
served everything while the other sat idle.
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
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import Multiprocess, Process

from .supervision import PARENT_ENV, Supervised
from .worker import LOG_FORMAT

log = logging.getLogger("accord.serve")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # read by prometheus_client on import
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
READY_TIMEOUT = 60.0


class ServeError(Exception):
    """The server cannot start; the message says why."""


def bind(host: str, port: int, count: int = 1) -> list[socket.socket]:
    """``count`` listening sockets on ``host:port``: one per uvicorn worker.

    Several sockets share the port through ``SO_REUSEPORT`` (Linux, the BSDs);
    where it is missing, every worker shares one socket as before.
    """
    if not 0 < port < 65536:
        raise ServeError(f"cannot listen on port {port}: a port is a number from 1 to 65535")
    # A port taken by anyone, another ``accord serve`` included, is refused here: a
    # socket without SO_REUSEPORT cannot join a group that has it, nor the reverse.
    _listen(host, port, reuse_port=False).close()
    if count == 1 or not hasattr(socket, "SO_REUSEPORT"):
        return [_listen(host, port, reuse_port=False)]
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sockets.append(_listen(host, port, reuse_port=True))
    except ServeError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def _listen(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
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
    """Several processes, worker ``i`` on socket ``i`` (a replacement takes its predecessor's).

    Announces once one answers; SIGHUP stops like SIGTERM. The number of
    workers is fixed (no SIGTTIN/SIGTTOU): each has its own socket.
    """

    announce: Callable[[], None] = staticmethod(lambda: None)

    def _socket_of(self, index: int) -> list[socket.socket]:
        return [self.sockets[index]] if len(self.sockets) > 1 else self.sockets

    def _start(self, index: int) -> Process:
        process = Process(self.config, self._socket_of(index))
        process.start()
        return process

    def init_processes(self) -> None:
        self.processes = [self._start(index) for index in range(self.processes_num)]
        if any(p.wait_until_ready(READY_TIMEOUT, self.should_exit) for p in self.processes):
            self.announce()

    def keep_subprocess_alive(self) -> None:
        # uvicorn's own loop, but the new process gets the socket of the one it replaces.
        for index, process in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()  # hung, or gone already
            process.join()
            if process.exitcode == STARTUP_FAILURE:
                log.error("worker %s failed to start; stopping", process.pid)
                self.should_exit.set()
                return
            log.info("worker %s died; starting another", process.pid)
            if process.pid is not None:
                from prometheus_client import multiprocess

                # Its requests in flight are not in flight any more.
                multiprocess.mark_process_dead(process.pid)
            self.processes[index] = self._start(index)

    def handle_hup(self) -> None:
        log.info("Received SIGHUP, exiting.")
        self.should_exit.set()

    def handle_ttin(self) -> None:
        log.info("Received SIGTTIN: the number of workers is fixed; restart to change it.")

    handle_ttou = handle_ttin


def serve(host: str, port: int, workers: int, with_worker: bool) -> None:
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    sockets = bind(host, port, max(workers, 1))
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
            supervisor = _Workers(config, sockets=sockets)
            supervisor.announce = announce  # type: ignore[method-assign]
            supervisor.run()
        else:
            server = _Server(config)
            server.announce = announce  # type: ignore[method-assign]
            _stop_on_every_signal(server)
            server.run(sockets=sockets)
    finally:
        if helper is not None:
            helper.stop()
        for sock in sockets:
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
