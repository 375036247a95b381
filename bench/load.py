"""Load generators. Each runs in its own process (bench.common.Load), pinned to the load core.

Clocks: time.monotonic() is CLOCK_MONOTONIC, one clock for every process of the machine,
so a time taken here compares with one taken by the runner.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from typing import Any

import aiohttp

from bench import wsclient
from bench.common import latency_summary

TEXT_MARK = '"text":"b'


def run(coro: Any) -> Any:
    """Run a load generator's loop on uvloop when installed (`pip install -e '.[bench]'`): the
    generator then costs less of its core than the server it measures."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def _connector() -> aiohttp.TCPConnector:
    return aiohttp.TCPConnector(limit=0, force_close=False)


# -- 1. fan-out


def fanout(
    *,
    ws_port: int,
    ws_path: str,
    subscribers: int,
    rate: float,
    duration: float,
    post_url: str | None = None,
    publish_url: str | None = None,
    device: str | None = None,
    settle: float = 3.0,
    raw: bool = False,
) -> dict[str, Any]:
    """N subscribers; notes sent at `rate` per second (HTTP POST to quartier, or the baseline's
    publisher socket); latency from the send to each subscriber's receipt."""
    return run(_fanout(ws_port, ws_path, subscribers, rate, duration, post_url, publish_url, device, settle, raw))


async def _connect_raw(port: int, paths: list[str], on_text: Any, batch: int = 100) -> list[wsclient.WSClient]:
    clients: list[wsclient.WSClient] = []
    for i in range(0, len(paths), batch):
        clients += await asyncio.gather(*(wsclient.connect(port, p, on_text) for p in paths[i : i + batch]))
    return clients


async def _fanout(
    ws_port: int,
    ws_path: str,
    n: int,
    rate: float,
    duration: float,
    post_url: str | None,
    publish_url: str | None,
    device: str | None,
    settle: float,
    raw: bool,
) -> dict[str, Any]:
    sent: dict[int, float] = {}
    latencies: list[float] = []
    acks: list[float] = []  # POST sent -> 201 received: the commit, before any fan-out
    errors: dict[str, int] = {}
    mark = TEXT_MARK.encode()
    clock = time.monotonic

    def receive(payload: bytes) -> None:
        k = wsclient.number_after(payload, mark)
        if k is not None and k in sent:
            latencies.append(clock() - sent[k])

    sockets = await _connect_raw(ws_port, [ws_path] * n, receive)
    async with aiohttp.ClientSession(connector=_connector(), cookie_jar=aiohttp.DummyCookieJar()) as session:
        publisher = await session.ws_connect(publish_url) if publish_url else None
        headers = {"Cookie": f"quartier_device={device}"} if device else {}

        async def post(k: int) -> None:
            assert post_url is not None
            try:
                async with session.post(post_url, json={"text": f"b{k}", "source": "tablet"}, headers=headers) as r:
                    await r.read()
                    acks.append(time.monotonic() - sent[k])
                    if r.status != 201:
                        errors[str(r.status)] = errors.get(str(r.status), 0) + 1
            except aiohttp.ClientError as e:
                errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1

        total = int(rate * duration)
        start = time.monotonic() + 0.2
        posts = []
        for k in range(1, total + 1):
            delay = start + (k - 1) / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            sent[k] = time.monotonic()
            if publisher is not None:
                await publisher.send_str(
                    json.dumps(
                        {
                            "seq": k,
                            "channel": "board:1",
                            "type": "note.published",
                            "data": {
                                "id": k,
                                "board_id": 1,
                                "theme": "autre",
                                "text": f"b{k}",
                                "author": "",
                                "pinned": False,
                            },
                        },
                        separators=(",", ":"),
                    )
                )
            else:
                posts.append(asyncio.create_task(post(k)))
        await asyncio.gather(*posts)
        expected = total * n
        deadline = time.monotonic() + settle
        while len(latencies) < expected and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if publisher is not None:
            await publisher.close()
        for ws in sockets:
            ws.close()
    summary = latency_summary([x * 1000 for x in latencies])
    summary.update(subscribers=n, notes=total, expected=expected, missing=expected - len(latencies), errors=errors)
    if raw:  # for the runner to pool several rounds
        summary.update(latencies_ms=[x * 1000 for x in latencies], acks_ms=[x * 1000 for x in acks])
    if acks:
        ack = latency_summary([x * 1000 for x in acks])
        summary.update(ack_p50_ms=ack["p50_ms"], ack_p99_ms=ack["p99_ms"], ack_max_ms=ack["max_ms"])
    return summary


# -- 2. posting


def posting(*, post_url: str, devices: list[str], duration: float) -> dict[str, Any]:
    """Residents (one issued device id each), each posting a note as soon as the last was acknowledged."""
    return run(_posting(post_url, devices, duration))


async def _posting(post_url: str, devices: list[str], duration: float) -> dict[str, Any]:
    acked = 0
    statuses: dict[str, int] = {}
    latencies: list[float] = []
    async with aiohttp.ClientSession(connector=_connector(), cookie_jar=aiohttp.DummyCookieJar()) as session:
        stop_at = 0.0

        async def device(d: int) -> None:
            nonlocal acked
            headers = {"Cookie": f"quartier_device={devices[d]}"}
            k = 0
            while time.monotonic() < stop_at:
                k += 1
                t0 = time.monotonic()
                async with session.post(
                    post_url, json={"text": f"Note {k} de l'appareil {d}", "source": "phone"}, headers=headers
                ) as r:
                    await r.read()
                if time.monotonic() > stop_at:
                    break
                statuses[str(r.status)] = statuses.get(str(r.status), 0) + 1
                if r.status == 201:
                    acked += 1
                    latencies.append(time.monotonic() - t0)

        start = time.monotonic()
        stop_at = start + duration
        await asyncio.gather(*(device(d) for d in range(len(devices))))
        elapsed = time.monotonic() - start
    out = latency_summary([x * 1000 for x in latencies])
    out.update(acked=acked, seconds=round(elapsed, 2), per_second=round(acked / duration, 1), statuses=statuses)
    return out


# -- 3. pages: a small raw HTTP/1.1 client, so the client is not the bottleneck


async def _http_worker(port: int, request: bytes, stop_at: float, counts: dict[str, int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < stop_at:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = head[9:12].decode()
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length)
            counts[status] = counts.get(status, 0) + 1
            counts["bytes"] = counts.get("bytes", 0) + len(body)
    finally:
        writer.close()


def pages(*, port: int, path: str, concurrency: int, duration: float, cookie: str = "") -> dict[str, Any]:
    """GET one path over `concurrency` keep-alive connections for `duration` seconds."""
    extra = f"Cookie: {cookie}\r\n" if cookie else ""
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/html\r\nAccept-Language: fr\r\n{extra}\r\n"
    ).encode()

    async def main() -> dict[str, Any]:
        counts: dict[str, int] = {}
        start = time.monotonic()
        await asyncio.gather(*(_http_worker(port, request, start + duration, counts) for _ in range(concurrency)))
        elapsed = time.monotonic() - start
        ok = counts.get("200", 0)
        return {
            "requests": ok,
            "per_second": round(ok / elapsed, 1),
            "seconds": round(elapsed, 2),
            "statuses": {k: v for k, v in counts.items() if k != "bytes"},
            "mean_bytes": round(counts.get("bytes", 0) / max(1, sum(v for k, v in counts.items() if k != "bytes"))),
        }

    return run(main())


# -- 4. idle subscribers


def idle(*, port: int, paths: list[str], ready: Any, stop: Any) -> dict[str, Any]:
    """Hold one WebSocket per path open, doing nothing, until told to stop."""

    async def main() -> dict[str, Any]:
        sockets = await _connect_raw(port, paths, lambda payload: None)
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.1)
        for ws in sockets:
            ws.close()
        return {"connected": len(sockets)}

    return run(main())


# -- 5. reconnect storm


def storm(
    *,
    port: int,
    path: str,
    subscribers: int,
    since: int,
    expect: int,
    ready: Any,
    timeout: float,
    initial_delay: float = 1.0,
    max_delay: float = 30.0,
) -> dict[str, Any]:
    """Subscribers that reconnect as live.js does (jittered backoff from 1 s, doubling, up to 30 s),
    resuming from their last seq; returns when each has `expect` changes after `since` (its done time)."""
    return run(_storm(port, path, subscribers, since, expect, ready, timeout, initial_delay, max_delay))


async def _storm(
    port: int,
    path: str,
    n: int,
    since: int,
    expect: int,
    ready: Any,
    timeout: float,
    initial_delay: float,
    max_delay: float,
) -> dict[str, Any]:
    done_at: list[float | None] = [None] * n
    attempts = [0] * n
    connected = 0
    all_connected = asyncio.Event()
    sep = "&" if "?" in path else "?"

    async def subscriber(i: int) -> None:
        nonlocal connected
        last = since
        got = 0
        delay = initial_delay
        first = True
        finished = asyncio.get_running_loop().create_future()

        def on_text(payload: bytes) -> None:
            nonlocal last, got
            seq = wsclient.number_after(payload, b'"seq":')
            if seq is not None and seq > last:
                last = seq
                if b'"type":"reset"' not in payload:
                    got += 1
                if got >= expect and done_at[i] is None:
                    done_at[i] = time.monotonic()
                    if not finished.done():
                        finished.set_result(None)

        while done_at[i] is None:
            attempts[i] += 1
            try:
                client = await wsclient.connect(port, f"{path}{sep}since={last}", on_text)
            except (TimeoutError, OSError, ConnectionError):
                client = None
            if client is not None:
                delay = initial_delay
                if first:
                    first = False
                    connected += 1
                    if connected == n:
                        all_connected.set()
                await asyncio.wait([client.closed, finished], return_when=asyncio.FIRST_COMPLETED)
                if done_at[i] is not None:
                    client.close()
                    return
            if first:  # still in the first wave of connections: retry at once
                await asyncio.sleep(0.05)
                continue
            await asyncio.sleep(delay / 2 + random.random() * delay / 2)
            delay = min(delay * 2, max_delay)

    tasks = [asyncio.create_task(subscriber(i)) for i in range(n)]
    await asyncio.wait_for(all_connected.wait(), timeout)
    ready.set()
    _done, pending = await asyncio.wait(tasks, timeout=timeout)
    for t in pending:
        t.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    finished = [t for t in done_at if t is not None]
    return {"subscribers": n, "finished": len(finished), "done_at": finished, "attempts": sum(attempts)}
