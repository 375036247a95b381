"""`serve --workers N`: N server processes on one port, watched by a parent that restarts them.

The parent opens N listening sockets on the same port (SO_REUSEPORT: the kernel spreads
new connections among them), forks one worker per socket, and keeps every socket
open: while a killed worker is replaced, the connections the kernel gave its socket
wait in its backlog instead of being refused. Workers share the SQLite database in
WAL mode (one writer at a time, BEGIN IMMEDIATE), follow the change log (`quartier.bus`)
and keep rate limits in a shared file (`quartier.ratelimit`), so any worker can serve
any request and resume any live client from its last seq.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable

log = logging.getLogger(__name__)

# A worker that dies this soon after it started counts as a failed start; after this many
# failed starts in a row the parent stops (a broken config would otherwise fork forever).
QUICK_DEATH = 5.0
MAX_QUICK_DEATHS = 5
PR_SET_PDEATHSIG = 1


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def listen(host: str, port: int, count: int, backlog: int = 4096) -> list[socket.socket]:
    """`count` listening sockets on one port (port 0: the first one picks it for all)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            port = sock.getsockname()[1]
            sock.listen(backlog)
            sock.set_inheritable(True)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def die_with_parent() -> None:
    """Ask Linux to end this worker if the parent dies (kill -9 of the parent leaves no orphan)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Supervisor:
    """Fork a worker per socket, restart one that dies, and stop them all on SIGTERM or SIGINT."""

    def __init__(self, sockets: list[socket.socket], run_worker: Callable[[socket.socket], None]):
        self.sockets = sockets
        self.run_worker = run_worker
        self.workers: dict[int, tuple[int, float]] = {}  # pid: (socket index, started)
        self.stopping = False
        self.parent = os.getpid()

    def run(self) -> bool:
        """Serve until told to stop; False when workers kept dying as they started."""
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            for index in range(len(self.sockets)):
                self._start(index)
            quick_deaths = 0
            while self.workers:
                try:
                    pid, status = os.wait()
                except ChildProcessError:
                    break
                if pid not in self.workers:
                    continue
                index, started = self.workers.pop(pid)
                if self.stopping:
                    continue
                log.warning("worker %d ended (%s); starting another", pid, _how(status))
                quick_deaths = quick_deaths + 1 if time.monotonic() - started < QUICK_DEATH else 0
                if quick_deaths >= MAX_QUICK_DEATHS:
                    self._stop(signal.SIGTERM, None)
                    self._wait_all()
                    return False
                self._start(index)
            return True
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _start(self, index: int) -> None:
        pid = os.fork()
        if pid:
            self.workers[pid] = (index, time.monotonic())
            return
        code = 0
        try:  # the worker: from here on, never back into the parent's code
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, signal.SIG_DFL)
            die_with_parent()
            if os.getppid() != self.parent:  # the parent died before prctl took effect
                os._exit(1)
            for n, sock in enumerate(self.sockets):
                if n != index:
                    sock.close()
            self.run_worker(self.sockets[index])
        except KeyboardInterrupt:
            pass
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)

    def _stop(self, signum: int, _frame: object) -> None:
        self.stopping = True
        for pid in list(self.workers):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    def _wait_all(self) -> None:
        while self.workers:
            try:
                pid, _status = os.wait()
            except ChildProcessError:
                return
            self.workers.pop(pid, None)


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"
