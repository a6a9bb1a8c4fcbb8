"""Process supervision: a child that dies with its parent, and a parent that restarts a child.

``accord serve`` is the parent of its uvicorn worker processes and of its helper
job worker. Killed with ``kill -9`` it runs no clean-up, so each child watches
for itself: Linux sends it SIGTERM when the parent goes (``PR_SET_PDEATHSIG``),
and a thread polling the parent's pid does the same elsewhere.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

log = logging.getLogger("accord.supervision")

# Set by ``accord serve`` to its own pid for the processes it starts.
PARENT_ENV = "ACCORD_SUPERVISOR_PID"
PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 1.0


def die_with_parent() -> None:
    """In a process ``accord serve`` started: exit (SIGTERM) as soon as serve is gone.

    Does nothing in any other process, ``serve`` itself included.
    """
    expected = os.environ.get(PARENT_ENV, "")
    if not expected.isdigit() or int(expected) == os.getpid():
        return
    # Processes this one starts are not serve's children: they must not inherit it.
    del os.environ[PARENT_ENV]
    parent = int(expected)
    _set_parent_death_signal()
    if os.getppid() != parent:  # the parent died before the line above
        os.kill(os.getpid(), signal.SIGTERM)
        return
    threading.Thread(target=_watch, args=(parent,), name="accord-parent-watch", daemon=True).start()


@functools.cache
def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    return prctl


def _set_parent_death_signal() -> None:
    """Linux: SIGTERM this process when the thread that started it ends."""
    prctl = _prctl()
    if prctl is not None:
        prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    log.warning("accord serve (pid %s) is gone; stopping", parent)
    os.kill(os.getpid(), signal.SIGTERM)


class Supervised:
    """Keep one child process running: restart it when it dies, with a growing delay.

    The child is started from this object's own thread, which lives as long as
    the child: Linux's parent-death signal follows the thread that started it.
    """

    FIRST_DELAY = 1.0
    MAX_DELAY = 60.0
    # A child that ran this long before dying was healthy: restart it quickly.
    HEALTHY_SECONDS = 60.0

    def __init__(self, name: str, argv: list[str]) -> None:
        self.name = name
        self.argv = argv
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"accord-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _spawn(self) -> subprocess.Popen[bytes] | None:
        with self._lock:
            if self._stopping.is_set():
                return None
            _prctl()  # loaded here: the child between fork and exec only calls it
            # Set before exec: the child dies with this thread even while it is still
            # importing, before its own die_with_parent() runs.
            self.process = subprocess.Popen(self.argv, preexec_fn=_set_parent_death_signal)
            return self.process

    def _run(self) -> None:
        delay = self.FIRST_DELAY
        while True:
            started = time.monotonic()
            process = self._spawn()
            if process is None:
                return
            log.info("started the %s (pid %s)", self.name, process.pid)
            code = process.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - started > self.HEALTHY_SECONDS:
                delay = self.FIRST_DELAY
            log.warning(
                "the %s (pid %s) exited with %s; restarting it in %.0f s",
                self.name,
                process.pid,
                code,
                delay,
            )
            if self._stopping.wait(delay):
                return
            delay = min(delay * 2, self.MAX_DELAY)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the child (SIGTERM, then SIGKILL after ``timeout``) and stop restarting it."""
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                log.warning("the %s (pid %s) did not stop; killing it", self.name, process.pid)
                process.kill()
                process.wait()
        self._thread.join(timeout=timeout)
