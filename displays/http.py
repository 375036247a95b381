"""Just enough HTTP/1.1 and WebSocket for the agent, on plain asyncio streams.

Why not aiohttp, which the server uses: importing it costs about 15 MB of resident
memory (its C parsers, yarl, multidict and two SSL contexts built at import), and the
agent must stay under 40 MB on a 512 MB Pi. The agent's needs are small: a few GET
and POST requests to the server (JSON, Content-Length or chunked bodies), a local
server on 127.0.0.1 for one kiosk browser, and a one-way local WebSocket to tell the
page "fetch again". The server's change bus is reached with the `websockets` library.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import ssl as ssl_module
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

MAX_BODY = 8 * 1024 * 1024
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    101: "Switching Protocols",
    304: "Not Modified",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    500: "Internal Server Error",
}

_ssl_context: ssl_module.SSLContext | None = None


def ssl_context() -> ssl_module.SSLContext:
    """One verifying TLS context, built on first use (plain-HTTP agents never pay for it)."""
    global _ssl_context
    if _ssl_context is None:
        _ssl_context = ssl_module.create_default_context()
    return _ssl_context


class HTTPError(Exception):
    """The server could not be reached or answered something unreadable."""


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


async def _read_headers(reader: asyncio.StreamReader) -> tuple[str, dict[str, str]]:
    head = await reader.readuntil(b"\r\n\r\n")
    if len(head) > 65536:
        raise HTTPError("headers too large")
    lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return lines[0], headers


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str], until_eof: bool) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        chunks: list[bytes] = []
        size = 0
        while True:
            line = await reader.readuntil(b"\r\n")
            n = int(line.split(b";")[0].strip(), 16)
            size += n
            if size > MAX_BODY:
                raise HTTPError("body too large")
            if n == 0:
                await reader.readuntil(b"\r\n")
                return b"".join(chunks)
            chunks.append(await reader.readexactly(n))
            await reader.readexactly(2)
    if "content-length" in headers:
        n = int(headers["content-length"])
        if n > MAX_BODY:
            raise HTTPError("body too large")
        return await reader.readexactly(n)
    return await reader.read(MAX_BODY) if until_eof else b""


async def request(
    method: str, url: str, *, headers: dict[str, str] | None = None, body: bytes = b"", timeout: float = 20.0
) -> Reply:
    """One request on a fresh connection (`Connection: close`): simple, and nothing stale to reuse on a flaky link."""
    try:
        return await asyncio.wait_for(_request(method, url, headers or {}, body), timeout)
    except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as e:
        raise HTTPError(f"{method} {url}: {e.__class__.__name__} {e}") from e


async def _request(method: str, url: str, headers: dict[str, str], body: bytes) -> Reply:
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    host = parts.hostname or "localhost"
    port = parts.port or (443 if secure else 80)
    reader, writer = await asyncio.open_connection(host, port, ssl=ssl_context() if secure else None, limit=MAX_BODY)
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {parts.netloc}",
            "Connection: close",
            "Accept-Encoding: identity",
            "User-Agent: quartier-display",
        ]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()
        status_line, reply_headers = await _read_headers(reader)
        status = int(status_line.split(" ", 2)[1])
        data = b"" if method == "HEAD" or status in (204, 304) else await _read_body(reader, reply_headers, True)
        return Reply(status, reply_headers, data)
    finally:
        writer.transport.abort()  # Connection: close; no lingering sockets on a flaky link


# -- the local server


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Awaitable[Response | None]]


class LocalServer:
    """A tiny HTTP/1.1 server for one kiosk browser; `handler` returns a Response, or None once it
    has taken over the connection (a WebSocket)."""

    def __init__(self, handler: Handler, host: str = "127.0.0.1", port: int = 0):
        self.handler, self.host, self.port = handler, host, port
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, self.port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task
        if self._server:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while True:
                try:
                    line, headers = await asyncio.wait_for(_read_headers(reader), 30)
                    method, target, _version = line.split(" ", 2)
                    body = await _read_body(reader, headers, False) if method == "POST" else b""
                except (
                    TimeoutError,
                    asyncio.IncompleteReadError,
                    asyncio.LimitOverrunError,
                    ValueError,
                    HTTPError,
                    ConnectionError,
                ):
                    return
                path, _, query = target.partition("?")
                req = Request(method, path, query, headers, body, reader, writer)
                try:
                    response = await self.handler(req)
                except Exception:  # a bug in one answer must not take the screen down
                    import logging

                    logging.getLogger(__name__).exception("local request failed")
                    response = Response(500, b"error")
                if response is None:
                    return  # the handler kept the connection (a WebSocket) and has finished with it
                keep = headers.get("connection", "").lower() != "close"
                head = [
                    f"HTTP/1.1 {response.status} {REASONS.get(response.status, 'OK')}",
                    f"Content-Type: {response.content_type}",
                    f"Content-Length: {len(response.body)}",
                    "Cache-Control: no-store",
                    "X-Content-Type-Options: nosniff",
                    f"Connection: {'keep-alive' if keep else 'close'}",
                ]
                head += [f"{k}: {v}" for k, v in response.headers.items()]
                writer.write(
                    ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + (b"" if method == "HEAD" else response.body)
                )
                await writer.drain()
                if not keep:
                    return
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._tasks.discard(task)
            writer.transport.abort()


class LocalSocket:
    """The server side of a one-way WebSocket: we send text, the page sends nothing that matters."""

    def __init__(self, writer: asyncio.StreamWriter):
        self.writer = writer

    def send(self, text: str) -> None:
        data = text.encode()
        n = len(data)
        if n < 126:
            header = bytes([0x81, n])
        elif n < 65536:
            header = bytes([0x81, 126]) + n.to_bytes(2, "big")
        else:
            header = bytes([0x81, 127]) + n.to_bytes(8, "big")
        if not self.writer.transport.is_closing():
            self.writer.write(header + data)


async def accept_websocket(req: Request) -> LocalSocket | None:
    key = req.headers.get("sec-websocket-key")
    if req.headers.get("upgrade", "").lower() != "websocket" or not key:
        return None
    accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
    req.writer.write(
        (
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
        ).encode()
    )
    await req.writer.drain()
    return LocalSocket(req.writer)


async def read_until_closed(req: Request, sock: LocalSocket) -> None:
    """Read the page's frames (masked, small) until it closes; answer pings, drop the rest."""
    reader = req.reader
    while True:
        first, second = await reader.readexactly(2)
        opcode, n = first & 0x0F, second & 0x7F
        if n == 126:
            n = int.from_bytes(await reader.readexactly(2), "big")
        elif n == 127:
            n = int.from_bytes(await reader.readexactly(8), "big")
        if n > 65536:
            return
        mask = await reader.readexactly(4) if second & 0x80 else b"\0\0\0\0"
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(await reader.readexactly(n)))
        if opcode == 0x8:  # close: echo it and stop
            sock.writer.write(bytes([0x88, min(len(payload), 125)]) + payload[:125])
            return
        if opcode == 0x9:  # ping → pong
            sock.writer.write(bytes([0x8A, len(payload)]) + payload)
        elif opcode == 0x1 and payload == b"ping":
            sock.send('{"type":"pong"}')
