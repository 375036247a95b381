"""GET /ws?channels=a,b&since=SEQ: replay what a client missed, then stream live changes.

One sender task per client drains its bounded queue; only the handler reads the
socket. A client whose queue overflows (a stalled tablet, a dead Wi-Fi link) is
disconnected with code 1013 and resumes from its last seq when it reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import logging
import struct
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import WSCloseCode, WSMsgType, web

from quartier.bus import Bus, Subscriber
from quartier.channels import EVERY_CHANNEL, PATTERN, RESET, REVOCATIONS, listed, parse
from quartier.db import Change
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.routing import PUBLIC, Access, Routes
from quartier.typedefs import (
    BUS,
    CHANNEL_ACCESS,
    COOKIES_UNTRUSTED,
    DB,
    SESSION_ID,
    SETTINGS,
    SOCKETS_PER_ADDRESS,
    USER,
    WEBSOCKETS,
)
from quartier.web import bearer_token

log = logging.getLogger(__name__)

MAX_CHANNELS = 20
HEARTBEAT = 20.0
TRY_AGAIN_LATER = 1013

routes = Routes()


def parse_channels(raw: str) -> list[str]:
    channels = listed(raw)
    if not channels or len(channels) > MAX_CHANNELS or not all(PATTERN.match(c) for c in channels):
        raise Problem(400, "invalid_channels", N_("Indiquez de 1 à 20 canaux valides, séparés par des virgules."))
    return channels


async def may_subscribe(request: web.Request, channel: str) -> bool:
    """Channels are public unless a feature declared an Access for their prefix."""
    access = request.app[CHANNEL_ACCESS].get(parse(channel)[0])
    if access is None or access.public:
        return True
    user = request.get(USER)
    if user and access.roles and user.role in access.roles:
        return True
    return bool(access.check and await access.check(request))


async def _admit(request: web.Request) -> tuple[list[str], int | None]:
    """The channels and `since` asked for, once the caller may have them: a page of another site
    opens nothing with this browser's cookies, and one address holds a bounded number of sockets."""
    channels = parse_channels(request.query.get("channels", ""))
    since_raw = request.query.get("since")
    try:
        since = int(since_raw) if since_raw not in (None, "") else None
    except ValueError:
        raise Problem(400, "invalid_since", N_("« since » doit être un nombre entier.")) from None
    if since is not None and since < 0:
        raise Problem(400, "invalid_since", N_("« since » doit être un nombre entier."))
    if _foreign_origin(request):
        if request[SESSION_ID] is not None:
            request[USER] = None
            request[SESSION_ID] = None
        request[COOKIES_UNTRUSTED] = True
    for channel in channels:
        if not await may_subscribe(request, channel):
            raise Problem(403, "forbidden", N_("Accès refusé."))
    if request.app[SOCKETS_PER_ADDRESS][request.remote or ""] >= request.app[SETTINGS].websockets_per_address:
        raise Problem(
            429, "too_many_sockets", N_("Trop de connexions en direct depuis ce réseau."), headers={"Retry-After": "30"}
        )
    return channels, since


@routes.get("/ws", name="ws", access=PUBLIC)
async def websocket(request: web.Request) -> web.StreamResponse:
    channels, since = await _admit(request)
    # No permessage-deflate: messages are small JSON, and compressing each one once per
    # subscriber (with a zlib context per connection) costs more than it saves.
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT, max_msg_size=4096, compress=False)
    bus = request.app[BUS]
    per_address = request.app[SOCKETS_PER_ADDRESS]
    address = request.remote or ""
    sockets = request.app[WEBSOCKETS]
    # Known before the handshake is sent: a revocation that arrives meanwhile finds it.
    sockets[ws] = Grant(
        channels=frozenset(channels),
        session=request[SESSION_ID],
        key=request.query.get("key"),
        token=bearer_token(request) or request.query.get("token"),
    )
    per_address[address] += 1
    try:
        await ws.prepare(request)
    except BaseException:
        sockets.pop(ws, None)
        _forget(per_address, address)
        raise
    if ws not in sockets:  # revoked while the handshake went out
        _forget(per_address, address)
        await ws.close(code=WSCloseCode.POLICY_VIOLATION, message=b"access revoked")
        return ws
    subscriber = bus.subscribe(channels)  # before reading history: nothing falls in between
    sender = asyncio.create_task(_send(request, ws, bus, subscriber, since))
    watchdog = asyncio.create_task(_drop_when_overflowed(request, ws, subscriber))
    try:
        async for msg in ws:
            if msg.type == WSMsgType.TEXT and msg.data == "ping":
                await ws.send_str('{"type":"pong"}')
    finally:
        bus.unsubscribe(subscriber)
        sockets.pop(ws, None)
        _forget(per_address, address)
        for task in (sender, watchdog):
            task.cancel()
        for task in (sender, watchdog):
            with contextlib.suppress(asyncio.CancelledError, ConnectionResetError):
                await task
    return ws


async def _send(
    request: web.Request, ws: web.WebSocketResponse, bus: Bus, subscriber: Subscriber, since: int | None
) -> None:
    subscriber.last = bus.last_seq if since is None else since
    try:
        if since is not None:
            until = bus.last_seq
            if await bus.replayable(since):
                await _replay(ws, request.transport, bus, subscriber, since, until)
            else:
                await ws.send_str(f'{{"seq":{until},"channel":"{EVERY_CHANNEL}","type":"{RESET}","data":{{}}}}')
            subscriber.last = max(subscriber.last, until)
        if request.transport is not None:
            subscriber.write = _direct_writer(ws, request.transport, subscriber)
        while True:
            change = await subscriber.queue.get()
            if change.seq <= subscriber.last:
                continue
            await ws.send_str(change.message)
            subscriber.last = change.seq
    except (ConnectionResetError, RuntimeError):
        # The peer went away while we wrote; the handler's finally cleans up.
        subscriber.write = None
        await _abort(request, ws)


async def _replay(
    ws: web.WebSocketResponse,
    transport: asyncio.BaseTransport | None,
    bus: Bus,
    subscriber: Subscriber,
    since: int,
    until: int,
) -> None:
    """What the client missed, a page at a time: a screen back after a day gets its history in
    bounded reads and writes, each page sent (and drained) before the next is read. A page's frames
    go out in one write: ten thousand phones back after a restart, each 200 changes behind, cost
    ten thousand writes instead of two million."""
    async for page in bus.history(subscriber.channels, since, until):
        if transport is None:
            for change in page:
                await ws.send_str(change.message)
        else:
            if transport.is_closing():
                raise ConnectionResetError
            transport.write(b"".join(text_frame(change.message) for change in page))  # type: ignore[attr-defined]  # a socket transport
            while transport.get_write_buffer_size() > DIRECT_LIMIT:  # type: ignore[attr-defined]  # a socket transport
                if transport.is_closing():
                    raise ConnectionResetError
                await asyncio.sleep(0.02)  # a slow reader: let it drain before the next page
        subscriber.last = page[-1].seq


# Above this many bytes waiting in a socket's buffer, changes queue and the sender task
# drains them (the queue's bound then disconnects a client that does not read).
DIRECT_LIMIT = 64 * 1024


def _direct_writer(ws: web.WebSocketResponse, transport: asyncio.BaseTransport, subscriber: Subscriber):  # noqa: ANN202
    """Write a live change's frame, built once for every subscriber, straight to the socket."""

    def write(change: Change) -> bool:
        if ws.closed or transport.is_closing():
            return True  # going away: the handler's finally cleans up
        if transport.get_write_buffer_size() > DIRECT_LIMIT:  # type: ignore[attr-defined]  # a socket transport: BaseTransport declares neither
            return False
        if change.seq > subscriber.last:
            transport.write(text_frame(change.message))  # type: ignore[attr-defined]  # a socket transport: BaseTransport declares neither
            subscriber.last = change.seq
        return True

    return write


@functools.lru_cache(maxsize=1024)  # the changes every reconnecting client is sent
def text_frame(message: str) -> bytes:
    """An unmasked, uncompressed, final text frame (RFC 6455 5.2): the same bytes for every subscriber."""
    payload = message.encode()
    n = len(payload)
    if n < 126:
        header = struct.pack("!BB", 0x81, n)
    elif n < 65536:
        header = struct.pack("!BBH", 0x81, 126, n)
    else:
        header = struct.pack("!BBQ", 0x81, 127, n)
    return header + payload


async def _drop_when_overflowed(request: web.Request, ws: web.WebSocketResponse, subscriber: Subscriber) -> None:
    await subscriber.overflowed.wait()
    log.info("disconnecting a subscriber that fell behind")
    await _abort(request, ws, TRY_AGAIN_LATER, b"slow consumer: reconnect with since")


async def _abort(
    request: web.Request, ws: web.WebSocketResponse, code: int = WSCloseCode.GOING_AWAY, message: bytes = b""
) -> None:
    """Close politely if the peer still reads within a second, else cut the connection."""
    try:
        await asyncio.wait_for(ws.close(code=code, message=message), timeout=1.0)
    except (TimeoutError, ConnectionResetError, RuntimeError):
        if request.transport is not None:
            request.transport.abort()


@dataclass(frozen=True)
class Grant:
    """What let a socket in: its channels, and the staff session, link key or token it came with."""

    channels: frozenset[str]
    session: str | None
    key: str | None
    token: str | None


def _forget(per_address: Counter[str], address: str) -> None:
    per_address[address] -= 1
    if per_address[address] <= 0:
        del per_address[address]


def _foreign_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if not origin:
        return False  # not a browser page (an agent, a script): nothing to forge
    own = {f"{request.scheme}://{request.host}", request.app[SETTINGS].base_url.rstrip("/")}
    return origin not in own | set(request.app[SETTINGS].allowed_origins)


async def close_sockets(app: web.Application, which: Callable[[Grant], bool]) -> int:
    """Close this process's sockets whose grant no longer holds (see `revoke` for every process's)."""
    doomed = [ws for ws, grant in list(app[WEBSOCKETS].items()) if which(grant)]
    for ws in doomed:
        app[WEBSOCKETS].pop(ws, None)
        if not ws.prepared:
            continue  # its handler sees it gone once the handshake is out, and closes it
        with contextlib.suppress(Exception):
            await asyncio.wait_for(ws.close(code=WSCloseCode.POLICY_VIOLATION, message=b"access revoked"), 1.0)
    return len(doomed)


# Revocations travel on the change log, so that every server process closes its own sockets;
# nobody may subscribe to this channel (NOBODY: no staff role, no other way in).
REVOKE_CHANNEL = REVOCATIONS
NOBODY = Access(REVOKE_CHANNEL, roles=frozenset())


async def revoke(
    app: web.Application, *, session: str | None = None, keys_of: str | None = None, screens_of: str | None = None
) -> None:
    """Close, in every server process, the sockets opened by a staff session that ended, by an
    old link key of the board whose moderation channel is `keys_of`, or by the old token of the
    screen whose channel is `screens_of`. The session is logged as a digest, never in clear."""
    if session is not None:
        rule = {"session": _digest(session)}
    elif keys_of is not None:
        rule = {"keys_of": keys_of}
    elif screens_of is not None:
        rule = {"screens_of": screens_of}
    else:
        raise TypeError("revoke() needs session, keys_of or screens_of")
    await app[DB].write(lambda tx: tx.change(REVOKE_CHANNEL, "revoke", rule))
    await close_sockets(app, _revoked_by(rule))  # this process's, before the answer goes out


def follow_revocations(app: web.Application) -> Callable[[list[Change]], None]:
    """A bus watcher: the revocations another process logged close this process's sockets too."""
    closing: set[asyncio.Task] = set()

    def watch(changes: list[Change]) -> None:
        for change in changes:
            if change.channel == REVOKE_CHANNEL:
                task = asyncio.get_running_loop().create_task(close_sockets(app, _revoked_by(json.loads(change.data))))
                closing.add(task)
                task.add_done_callback(closing.discard)

    return watch


def _revoked_by(rule: dict[str, str]) -> Callable[[Grant], bool]:
    if "session" in rule:
        return lambda g: g.session is not None and _digest(g.session) == rule["session"]
    if "keys_of" in rule:
        return lambda g: g.key is not None and g.session is None and rule["keys_of"] in g.channels
    if "screens_of" in rule:
        return lambda g: g.session is None and rule["screens_of"] in g.channels
    return lambda g: False


def _digest(session: str) -> str:
    return hashlib.sha256(session.encode()).hexdigest()


async def close_all(app: web.Application) -> None:
    """On shutdown: every socket gets GOING_AWAY, so clients reconnect to the next server.

    All at once: one by one, a thousand screens took as many round trips to say goodbye.
    """

    async def close(ws: web.WebSocketResponse) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown"), 1.0)

    open_sockets = app[WEBSOCKETS]
    await asyncio.gather(*(close(ws) for ws in list(open_sockets)))
