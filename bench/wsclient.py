"""A minimal WebSocket client (RFC 6455, text frames, no extensions) for load generation.

aiohttp's client costs tens of microseconds a message; with 1,000 subscribers at 20
messages a second the load generator, not the server, would set the latency. This one
parses frames straight from the socket buffer: a few microseconds a message.
"""

from __future__ import annotations

import asyncio
import base64
import os
import struct
from collections.abc import Callable

PONG, CLOSE = 0xA, 0x8


class WSClient(asyncio.Protocol):
    def __init__(self, host: str, path: str, on_text: Callable[[bytes], None]):
        self.host, self.path, self.on_text = host, path, on_text
        self.transport: asyncio.Transport | None = None
        self.upgraded: asyncio.Future = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future = asyncio.get_running_loop().create_future()
        self._buffer = bytearray()
        self._open = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        key = base64.b64encode(os.urandom(16)).decode()
        self.transport.write(
            f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )

    def data_received(self, data: bytes) -> None:
        buf = self._buffer
        buf += data
        if not self._open:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(buf[9:12])
            del buf[: end + 4]
            if self.upgraded.done():  # the caller gave up waiting (a storm's timeout): not ours any more
                self.transport.close()
                return
            if status != b"101":
                self.upgraded.set_exception(ConnectionError(f"upgrade refused: {status.decode()}"))
                self.transport.close()
                return
            self._open = True
            self.upgraded.set_result(self)
        while len(buf) >= 2:
            opcode = buf[0] & 0x0F
            length = buf[1] & 0x7F
            start = 2
            if length == 126:
                if len(buf) < 4:
                    return
                length = struct.unpack_from("!H", buf, 2)[0]
                start = 4
            elif length == 127:
                if len(buf) < 10:
                    return
                length = struct.unpack_from("!Q", buf, 2)[0]
                start = 10
            if len(buf) < start + length:
                return
            payload = bytes(buf[start : start + length])
            del buf[: start + length]
            if opcode == 0x1:
                self.on_text(payload)
            elif opcode == 0x9:  # ping
                self._send(PONG, payload)
            elif opcode == CLOSE:
                self._send(CLOSE, payload[:2])
                self.transport.close()
                return

    def _send(self, opcode: int, payload: bytes) -> None:
        # Client frames are masked; a zero mask leaves the payload as it is.
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(bytes([0x80 | opcode, 0x80 | len(payload)]) + b"\0\0\0\0" + payload)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.upgraded.done():
            self.upgraded.set_exception(exc or ConnectionError("closed before the upgrade"))
        if not self.closed.done():
            self.closed.set_result(None)

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self._send(CLOSE, struct.pack("!H", 1000))
            self.transport.close()


async def connect(port: int, path: str, on_text: Callable[[bytes], None], timeout: float = 10.0) -> WSClient:
    loop = asyncio.get_running_loop()
    _t, client = await asyncio.wait_for(
        loop.create_connection(lambda: WSClient(f"127.0.0.1:{port}", path, on_text), "127.0.0.1", port), timeout
    )
    await asyncio.wait_for(client.upgraded, timeout)
    return client


def number_after(payload: bytes, mark: bytes) -> int | None:
    """The integer right after `mark` in a message (e.g. b'"seq":'), without parsing the JSON."""
    at = payload.find(mark)
    if at < 0:
        return None
    at += len(mark)
    end = at
    while end < len(payload) and 48 <= payload[end] <= 57:
        end += 1
    return int(payload[at:end]) if end > at else None
