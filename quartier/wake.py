"""A nudge between the server processes of one database: "the change log has grown".

With `serve --workers N`, each process follows the `changes` table as the log; a
process that commits nudges the others so they read the new rows at once instead of
at their next poll. A nudge is one byte on a Unix datagram socket: each process binds
`<folder>/<pid>-<n>.sock` and sends to every other socket in the folder. Nothing is carried
but the wake-up (the log is the message), so a lost nudge costs at most one poll
interval, and a socket left by a killed process is removed by the next sender.

On PostgreSQL the processes may be on several hosts: `ListenWake` LISTENs on the channel
that every committing transaction NOTIFYs (quartier.postgres), for the same effect.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import logging
import os
import socket
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from psycopg import pq

from quartier.postgres import CHANNEL, first_line, process_name

log = logging.getLogger(__name__)

# The longest path a Unix socket may have (sun_path holds 108 bytes, with its terminating zero).
MAX_SOCKET_PATH = 100

_numbers = itertools.count()  # two apps in one process (a test) get a socket each


def wake_folder(database: Path) -> Path:
    """The folder of the database's nudge sockets: beside it, or (a deep path) in the temp folder."""
    beside = database.with_name(database.name + "-wake")
    if len(str(beside / f"{2**22}-{2**16}.sock").encode()) <= MAX_SOCKET_PATH:
        return beside
    digest = hashlib.sha256(str(database.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"quartier-wake-{os.getuid()}-{digest}"


class Wake:
    """This process's nudge socket: `notify()` wakes the others; `on_wake` runs when they wake us."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.path = folder / f"{os.getpid()}-{next(_numbers)}.sock"
        self.sent = 0  # nudges sent (a test counts them)
        self._sock: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def open(self, on_wake: Callable[[], None]) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # nobody else may nudge us
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # a previous process of the same pid, killed
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.setblocking(False)
        sock.bind(str(self.path))
        self._sock = sock
        self._loop = asyncio.get_running_loop()

        def readable() -> None:
            woken = False
            while True:
                try:
                    sock.recv(64)
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:  # closed under us
                    return
                woken = True
            if woken:
                on_wake()

        self._loop.add_reader(sock.fileno(), readable)

    def notify(self) -> None:
        """Nudge every other process of this database (never blocks: a full socket is already awake)."""
        if self._sock is None:
            return
        try:
            peers = [p for p in os.scandir(self.folder) if p.name.endswith(".sock") and p.path != str(self.path)]
        except FileNotFoundError:
            return
        for peer in peers:
            try:
                self._sock.sendto(b"!", peer.path)
                self.sent += 1
            except (ConnectionRefusedError, FileNotFoundError):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(peer.path)  # nobody listens there any more
            except (BlockingIOError, InterruptedError):
                pass  # its queue is full: it has nudges enough to wake up
            except OSError as e:
                log.debug("could not nudge %s: %s", peer.path, e)

    def close(self) -> None:
        if self._sock is None:
            return
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(self._sock.fileno())
        self._sock.close()
        self._sock = None
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


class ListenWake:
    """quartier.wake's Wake, on PostgreSQL: LISTEN on the channel every commit NOTIFYs.

    The NOTIFY goes out with the commit itself (PostgresStore.commit), on every host;
    `notify()` has nothing left to do. A lost connection is made again every few seconds;
    meanwhile the bus's poll reads the log.
    """

    RECONNECT = 2.0

    def __init__(self, url: str):
        self.url = url
        self.sent = 0
        self._conn: psycopg.Connection[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._on_wake: Callable[[], None] | None = None
        self._retry: asyncio.TimerHandle | None = None
        # The connection is made in a thread; it is handed over (or closed, once we are closed)
        # under this lock, so that none is ever left to the garbage collector.
        self._handover = threading.Lock()
        self._made: psycopg.Connection[Any] | None = None
        self._closed = False
        self._own = process_name()

    def open(self, on_wake: Callable[[], None]) -> None:
        self._loop = asyncio.get_running_loop()
        self._on_wake = on_wake
        self._listen()

    def _listen(self) -> None:
        """Connect in a thread: an unreachable database server must not stall this event loop."""
        assert self._loop is not None
        self._retry = None
        self._loop.run_in_executor(None, self._listening_connection).add_done_callback(self._connected)

    def _listening_connection(self) -> None:
        conn = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
        try:
            conn.execute(f"LISTEN {CHANNEL}")
        except BaseException:
            conn.close()
            raise
        with self._handover:
            if self._closed:
                conn.close()
            else:
                self._made = conn

    def _connected(self, done: asyncio.Future[None]) -> None:
        assert self._loop is not None
        if done.cancelled():  # the loop is ending
            return
        error = done.exception()
        with self._handover:
            conn, self._made = self._made, None
            if self._closed:
                return
        if conn is None:
            reason = first_line(error) if error else "?"
            log.warning("cannot LISTEN for changes (%s); trying again in %.0f s", reason, self.RECONNECT)
            self._retry = self._loop.call_later(self.RECONNECT, self._listen)
            return
        self._conn = conn
        self._loop.add_reader(conn.pgconn.socket, self._readable)
        if self._on_wake is not None:
            self._on_wake()  # what committed while we were not listening

    def _readable(self) -> None:
        conn = self._conn
        if conn is None:
            return
        woken = False
        try:
            conn.pgconn.consume_input()
            while (n := conn.pgconn.notifies()) is not None:
                woken = woken or n.extra.decode() != self._own
        except psycopg.Error:
            woken = True
        if conn.pgconn.status != pq.ConnStatus.OK:
            self._drop()
            assert self._loop is not None
            self._retry = self._loop.call_later(self.RECONNECT, self._listen)
        if woken and self._on_wake is not None:
            self._on_wake()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if self._loop is not None and not self._loop.is_closed():
            with contextlib.suppress(ValueError, OSError):
                self._loop.remove_reader(conn.pgconn.socket)
        with contextlib.suppress(psycopg.Error):
            conn.close()

    def notify(self) -> None:
        """Nothing to do: the commit carried its NOTIFY."""

    def close(self) -> None:
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None
        with self._handover:
            self._closed = True  # a connection its thread still makes is closed there
            made, self._made = self._made, None
        if made is not None:
            made.close()
        self._drop()
