"""A flaky link between agent and server: at the end the agent has the server's snapshot, and its
memory has not grown. `make test` runs it for a few seconds, `make soak` for 60 s (QUARTIER_SOAK_SECONDS)."""

from __future__ import annotations

import asyncio
import os
import random
import time

import pytest

from tests.faultproxy import FaultProxy
from tests.signage.helpers import add_site

from .helpers import LocalAgent, server_snapshot

SECONDS = float(os.environ.get("QUARTIER_SOAK_SECONDS", "6"))
MB = 1024 * 1024


@pytest.mark.soak
async def test_behind_a_faulty_proxy_the_agent_ends_with_the_servers_snapshot_and_no_memory_growth(
    server, client, bearer, tmp_path
):
    await add_site(server.app)
    proxy = await FaultProxy(server.port, seed=7, drop_rate=0.05, stall_rate=0.02, delay_rate=0.2).start()
    agent = await LocalAgent(f"http://127.0.0.1:{proxy.port}", tmp_path / "agent").start()
    try:
        status = await agent.wait_for(lambda s: s["pairing_code"], timeout=30)
        r = await client.post(
            "/api/v1/displays/claim",
            headers=bearer,
            json={"code": status["pairing_code"], "site": "maurepas", "name": "Hall"},
        )
        assert r.status == 201
        await agent.wait_for(lambda s: s["paired"] and s["version"] is not None, timeout=60)
        rng = random.Random(3)
        ids: list[int] = []
        started = time.monotonic()
        baseline = None
        samples = []
        while time.monotonic() - started < SECONDS:
            # Staff keep changing what the screen shows: new, edited and removed announcements.
            if ids and rng.random() < 0.3:
                gone = ids.pop(rng.randrange(len(ids)))
                await client.delete(f"/api/v1/announcements/{gone}", headers=bearer)
            else:
                r = await client.post(
                    "/api/v1/announcements",
                    headers=bearer,
                    json={
                        "title": f"Annonce {rng.randrange(10_000)}",
                        "body": "x" * rng.randrange(400),
                        "target": "all",
                    },
                )
                ids.append((await r.json())["id"])
            if rng.random() < 0.05:
                proxy.cut_all()  # the Wi-Fi access point reboots
            await asyncio.sleep(0.2)
            if baseline is None and time.monotonic() - started > min(2.0, SECONDS / 3):
                baseline = agent.rss()
            samples.append(agent.rss())
        proxy.faults = False
        r = await client.post("/api/v1/announcements", headers=bearer, json={"title": "Dernière", "target": "all"})
        assert r.status == 201
        token = agent.token()
        deadline = time.monotonic() + 30
        while True:
            served, etag = await server_snapshot(client, token)
            status = await agent.status()
            if status["etag"] == etag:
                break
            assert time.monotonic() < deadline, f"agent still at {status}, server at {etag}; proxy {proxy.counts}"
            await asyncio.sleep(0.1)
        local = await agent.snapshot()
        assert [a["title"] for a in local["announcements"]] == [a["title"] for a in served["announcements"]]
        assert local["version"] == served["version"]
        assert proxy.counts["drops"] > 0 or proxy.counts["connections"] > 3
        end = agent.rss()
        print(
            f"agent RSS: baseline {baseline / MB:.1f} MB, peak {max(samples) / MB:.1f} MB, end {end / MB:.1f} MB; "
            f"proxy {proxy.counts}; fetches {status['fetches']}"
        )
        assert end < 40 * MB, f"the agent uses {end / MB:.1f} MB"
        assert end - baseline < 3 * MB, f"memory grew from {baseline / MB:.1f} to {end / MB:.1f} MB"
    finally:
        await agent.stop()
        await proxy.stop()
