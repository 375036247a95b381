"""Measure the agent's resident memory over an hour of screen life, compressed in time.

    .venv/bin/python -m bench.agent_rss [--minutes 60] [--speed 60]

Runs a real server (temporary database) and the real agent (`python -m displays`, its own
process), pairs them, then plays `--minutes` of a busy lobby at `--speed`× : a staff change
every 30 simulated seconds (announcements added and removed),
heartbeats every 30 simulated seconds, the page's heartbeats and a local page refetching,
and a network cut every 10 simulated minutes. Prints VmRSS at the start, the peak and the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

MB = 1024 * 1024


async def pair_agent(client: Any, bearer: dict[str, str], local: str) -> None:
    """Claim the agent's pairing code for a screen in the hall at Maurepas, and wait for its first snapshot."""
    import aiohttp

    async with aiohttp.ClientSession() as session:

        async def status() -> dict:
            while True:
                try:
                    async with session.get(local + "/status.json") as r:
                        return await r.json()
                except aiohttp.ClientError:
                    await asyncio.sleep(0.1)

        while not (s := await status())["pairing_code"]:
            await asyncio.sleep(0.1)
        r = await client.post(
            "/api/v1/displays/claim",
            headers=bearer,
            json={"code": s["pairing_code"], "site": "maurepas", "name": "Hall"},
        )
        assert r.status == 201, await r.text()
        while (await status())["version"] is None:
            await asyncio.sleep(0.1)


async def measure(minutes: float, speed: float) -> dict[str, float]:
    import aiohttp
    from aiohttp.test_utils import TestClient, TestServer

    from displays.health import rss_bytes  # reads /proc: the agent's own measure
    from quartier import auth
    from quartier.app import create_app
    from quartier.settings import Settings
    from quartier.typedefs import DB

    folder = Path(tempfile.mkdtemp(prefix="quartier-rss-"))
    settings = Settings(database="q.db", config_dir=folder, secret_key="x" * 32, base_url="http://quartier.test")
    server = TestServer(create_app(settings))
    await server.start_server()
    client = TestClient(server)
    await client.start_server()
    await auth.add_user(server.app[DB], "bench", "organizer", "correct horse battery staple")
    bearer = {"Authorization": f"Bearer {await auth.create_api_token(server.app[DB], 'bench')}"}
    from tests.events.helpers import add_site  # a site to pair the screen at

    await add_site(server.app)
    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    step = 30 / speed  # 30 simulated seconds
    env = {
        **__import__("os").environ,
        "QUARTIER_DISPLAY_TIMINGS": f"heartbeat_every={step},refetch_every={600 / speed}",
        "QUARTIER_DISPLAY_LOG": "WARNING",
    }
    agent = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "displays",
            "--server",
            f"http://127.0.0.1:{server.port}",
            "--cache",
            str(folder / "cache"),
            "--port",
            str(port),
        ],
        env=env,
    )
    local = f"http://127.0.0.1:{port}"
    rng = random.Random(1)
    samples: list[int] = []
    try:
        await pair_agent(client, bearer, local)
        async with aiohttp.ClientSession() as session:
            page = await session.ws_connect(local.replace("http", "ws") + "/events", origin=local)
            start = rss_bytes(agent.pid)
            ids: list[int] = []
            steps = int(minutes * 60 / 30)
            began = time.monotonic()
            for n in range(steps):
                if ids and rng.random() < 0.3:
                    await client.delete(f"/api/v1/announcements/{ids.pop(0)}", headers=bearer)
                else:
                    r = await client.post(
                        "/api/v1/announcements",
                        headers=bearer,
                        json={"title": f"Annonce {n}", "body": "texte " * rng.randrange(80), "target": "all"},
                    )
                    ids.append((await r.json())["id"])
                async with session.post(
                    local + "/heartbeat", json={"snapshot_version": n}, headers={"Origin": local}
                ) as r:
                    pass
                async with session.get(local + "/snapshot.json") as r:
                    await r.read()
                if n % 20 == 19:  # every 10 simulated minutes the link drops: the server forgets its sockets
                    from quartier.ws import close_all

                    await close_all(server.app)
                samples.append(rss_bytes(agent.pid) or 0)
                await asyncio.sleep(max(0.0, began + (n + 1) * step - time.monotonic()))
            await page.close()
            end = rss_bytes(agent.pid) or 0
            async with session.get(local + "/status.json") as r:
                final = await r.json()
    finally:
        agent.terminate()
        agent.wait()
        await client.close()
        await server.close()
    return {
        "start_mb": start / MB,
        "peak_mb": max(samples) / MB,
        "end_mb": end / MB,
        "simulated_minutes": minutes,
        "real_seconds": minutes * 60 / speed,
        "fetches": final["fetches"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--speed", type=float, default=60)
    args = parser.parse_args()
    result = asyncio.run(measure(args.minutes, args.speed))
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
