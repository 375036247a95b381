"""The server's door: at most so many connections per address, and a request sent slowly is cut.

aiohttp waits as long as a client likes for a request's headers and body, so one machine could
hold every connection open by sending a byte a minute (slowloris). `quartier serve` listens
through this guard: a request's headers must arrive within `request_header_timeout` seconds of
its first byte and its body (by Content-Length) within `request_body_timeout` more, or the
connection gets a 408 and is closed; WebSockets are left alone once upgraded. One address may
hold `connections_per_address` connections at once (a centre's Wi-Fi is one address: the
default is generous); more are closed at once.
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
from collections import Counter
from collections.abc import Callable
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

_CONTENT_LENGTH = re.compile(rb"^content-length:\s*(\d{1,12})\s*$", re.I | re.M)
_UPGRADE = re.compile(rb"^upgrade:\s*websocket\s*$", re.I | re.M)
_MAX_HEAD = 64 * 1024
TIMEOUT_ANSWER = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"


class Limits:
    """The guard's settings and the count of open connections per address (one per listener)."""

    def __init__(
        self, header_timeout: float, body_timeout: float, per_address: int, trusted: frozenset[str] = frozenset()
    ):
        self.header_timeout = header_timeout
        self.body_timeout = body_timeout
        self.per_address = per_address
        self.trusted = trusted  # reverse proxies: every visitor comes through them, they bound them
        self.open: Counter[str] = Counter()


class Guarded(asyncio.Protocol):
    """aiohttp's protocol for one connection, behind a watch on how fast requests arrive."""

    def __init__(self, inner: asyncio.Protocol, limits: Limits):
        self.inner = inner
        self.limits = limits
        self.transport: asyncio.Transport | None = None
        self.address = ""
        self.head = b""
        self.body_left = 0
        self.upgraded = False
        self.counted = False
        self.timer: asyncio.TimerHandle | None = None

    # -- the connection

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.address = str(peer[0]) if peer else ""
        if self.limits.open[self.address] >= self.limits.per_address and self.address not in self.limits.trusted:
            log.warning("refused a connection from %s: %d open already", self.address, self.limits.per_address)
            transport.abort()
            return
        self.limits.open[self.address] += 1
        self.counted = True
        self.inner.connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self.counted:
            self.counted = False
            self.limits.open[self.address] -= 1
            if not self.limits.open[self.address]:
                del self.limits.open[self.address]
            self.inner.connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if not self.upgraded:
            self._watch(data)
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()

    def __getattr__(self, name: str) -> Any:  # what aiohttp asks of its own protocol
        return getattr(self.inner, name)

    # -- the watch

    def _watch(self, data: bytes) -> None:
        while data and not self.upgraded:
            if self.body_left:
                taken = min(self.body_left, len(data))
                self.body_left -= taken
                data = data[taken:]
                if not self.body_left:
                    self._disarm()
                continue
            if not self.head:
                self._arm(self.limits.header_timeout)
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                if len(self.head) > _MAX_HEAD:
                    self._disarm()  # aiohttp answers an oversized head itself
                    self.head = b""
                return
            head, data = self.head[: end + 4], self.head[end + 4 :]
            self.head = b""
            if _UPGRADE.search(head):
                self.upgraded = True
                self._disarm()
                return
            length = _CONTENT_LENGTH.search(head)
            self.body_left = int(length.group(1)) if length else 0
            if self.body_left:
                self._arm(self.limits.body_timeout)
            else:
                self._disarm()

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self.timer = asyncio.get_running_loop().call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _too_slow(self) -> None:
        self.timer = None
        log.info("closed a connection from %s: its request came too slowly", self.address)
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(TIMEOUT_ANSWER)
            self.transport.close()


class GuardedSite(web.TCPSite):
    """A TCP site whose connections go through the guard."""

    def __init__(
        self,
        runner: web.BaseRunner,
        host: str,
        port: int,
        limits: Limits,
        sock: socket.socket | None = None,
        **kw: Any,
    ):
        super().__init__(runner, host, port, **kw)
        self._limits = limits
        self._sock = sock  # a socket opened by the parent of `serve --workers N`

    async def start(self) -> None:
        await web.BaseSite.start(self)
        server = self._runner.server
        assert server is not None
        factory: Callable[[], asyncio.Protocol] = server  # aiohttp's Server makes its protocols
        loop = asyncio.get_running_loop()

        def protocol() -> asyncio.Protocol:
            return Guarded(factory(), self._limits)

        if self._sock is not None:
            self._server = await loop.create_server(protocol, sock=self._sock, backlog=self._backlog)
        else:
            self._server = await loop.create_server(protocol, self._host, self._port, backlog=self._backlog)
