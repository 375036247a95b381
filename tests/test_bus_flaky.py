"""Flaky networks lose nothing: subscribers behind a faulty proxy end with exactly the server's changes.

`make test` runs a short version; `make soak` runs it for 60 s (QUARTIER_SOAK_SECONDS).
"""

import asyncio
import json
import os

import aiohttp
import pytest

from quartier.typedefs import DB

from .faultproxy import FaultProxy

SECONDS = float(os.environ.get("QUARTIER_SOAK_SECONDS", "6"))
CHANNELS = ["board:1", "site:maurepas", "programme"]


class ResumingSubscriber:
    """Does what live.js does: resume from the last seq after any disconnect, with backoff."""

    def __init__(self, url: str, channels: list[str]):
        self.url, self.channels = url, channels
        self.seqs: list[int] = []
        self.last = 0
        self.reconnects = 0
        self.stopped = False

    async def run(self) -> None:
        delay = 0.05
        async with aiohttp.ClientSession() as session:
            while not self.stopped:
                try:
                    async with session.ws_connect(
                        f"{self.url}/ws?channels={','.join(self.channels)}&since={self.last}",
                        heartbeat=2.0,
                        timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=1.0),
                    ) as ws:
                        delay = 0.05
                        async for msg in ws:
                            if msg.type != aiohttp.WSMsgType.TEXT:
                                break
                            change = json.loads(msg.data)
                            assert change["type"] != "reset"
                            if change["seq"] > self.last:
                                self.seqs.append(change["seq"])
                                self.last = change["seq"]
                except (TimeoutError, aiohttp.ClientError, ConnectionError):
                    pass
                if self.stopped:
                    break
                self.reconnects += 1
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)


@pytest.mark.soak
async def test_subscribers_behind_a_faulty_proxy_get_every_change_once_in_order(server):
    proxy = await FaultProxy(server.port, seed=12).start()
    subscribers = [ResumingSubscriber(f"http://127.0.0.1:{proxy.port}", CHANNELS[: 1 + i % 3]) for i in range(12)]
    tasks = [asyncio.create_task(s.run()) for s in subscribers]
    loop = asyncio.get_running_loop()
    end = loop.time() + SECONDS
    i = 0
    while loop.time() < end:
        channel = CHANNELS[i % 3]
        await server.app[DB].write(lambda tx, channel=channel, i=i: tx.change(channel, "test", {"i": i}))
        i += 1
        if i % 50 == 0:
            proxy.cut_all()
        await asyncio.sleep(0.01)
    proxy.faults = False
    proxy.cut_all()  # everyone reconnects through a healthy link and catches up
    rows = await server.app[DB].fetchall("SELECT seq, channel FROM changes ORDER BY seq")
    expected = {tuple(s.channels): [r["seq"] for r in rows if r["channel"] in s.channels] for s in subscribers}
    deadline = loop.time() + 15
    while loop.time() < deadline and any(s.seqs != expected[tuple(s.channels)] for s in subscribers):
        await asyncio.sleep(0.1)
    for s in subscribers:
        s.stopped = True
    proxy.cut_all()
    await asyncio.gather(*tasks)
    await proxy.stop()
    print(f"faults {proxy.counts}, reconnects {sum(s.reconnects for s in subscribers)}, changes {len(rows)}")
    assert proxy.counts["drops"] + proxy.counts["stalls"] > 0
    assert sum(s.reconnects for s in subscribers) > len(subscribers)
    for s in subscribers:
        assert s.seqs == expected[tuple(s.channels)], (
            f"{s.channels}: {len(s.seqs)} of {len(expected[tuple(s.channels)])}"
        )
