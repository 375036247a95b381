"""The real agent as a separate process (`python -m displays`), driven through its local HTTP server."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer

from displays.health import rss_bytes
from quartier import features
from quartier.app import create_app
from quartier.db import Database

# Time compressed for tests; the reconnection backoff keeps its real 1 s → 60 s.
FAST = "heartbeat_every=1,power_every=0.5"
# The agent runs as it does on the Pi, where the server is not installed: any import of these fails.
SERVER_PACKAGES = ("quartier", "events", "commons", "referral", "forum", "reports", "signage", "tests")
LEAN = (
    "import sys; sys.modules.update(dict.fromkeys({packages!r})); from displays.agent import main; sys.exit(main())"
).format(packages=SERVER_PACKAGES + ("aiohttp", "jinja2", "babel"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalAgent:
    def __init__(
        self,
        server_url: str,
        cache: Path,
        *,
        port: int | None = None,
        extra: list[str] | None = None,
        timings: str = FAST,
        now: str = "",
        env: dict[str, str] | None = None,
    ):
        self.server_url, self.cache, self.port = server_url, cache, port or free_port()
        self.extra, self.timings, self.now, self.env = extra or [], timings, now, env or {}
        self.process: subprocess.Popen | None = None
        self.log = cache.parent / f"{cache.name}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> LocalAgent:
        env = {**os.environ, "QUARTIER_DISPLAY_TIMINGS": self.timings, "QUARTIER_DISPLAY_LOG": "INFO", **self.env}
        if self.now:
            env["QUARTIER_DISPLAY_NOW"] = self.now  # the agent's clock, as ?now= is the page's
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    LEAN,
                    "--server",
                    self.server_url,
                    "--cache",
                    str(self.cache),
                    "--port",
                    str(self.port),
                    *self.extra,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        await self.wait_for(lambda s: True, timeout=15)
        return self

    async def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            for _ in range(100):
                if self.process.poll() is not None:
                    break
                await asyncio.sleep(0.05)
            else:
                self.process.kill()
                self.process.wait()

    async def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        async with aiohttp.ClientSession() as session:
            async with session.get(self.url + path) as r:
                return r.status, dict(r.headers), await r.read()

    async def status(self) -> dict[str, Any] | None:
        try:
            status, _h, body = await self.get("/status.json")
        except aiohttp.ClientError:
            return None
        return json.loads(body) if status == 200 else None

    async def snapshot(self) -> dict[str, Any] | None:
        status, _h, body = await self.get("/snapshot.json")
        return json.loads(body) if status == 200 else None

    async def wait_for(self, test, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            if self.process and self.process.poll() is not None:
                raise AssertionError(f"the agent exited: {self.log.read_text()[-3000:]}")
            status = await self.status()
            if status is not None and test(status):
                return status
            if time.monotonic() > deadline:
                raise AssertionError(f"agent never reached the state; last {status}\n{self.log.read_text()[-3000:]}")
            await asyncio.sleep(0.05)

    def rss(self) -> int:
        assert self.process is not None
        value = rss_bytes(self.process.pid)
        assert value is not None
        return value

    def token(self) -> dict[str, Any]:
        return json.loads((self.cache / "token.json").read_text())


async def start_server(settings, port: int = 0) -> TestServer:
    server = TestServer(create_app(settings), port=port) if port else TestServer(create_app(settings))
    await server.start_server()
    return server


async def write_offline(settings, fn) -> Any:
    """A change written to the database while no server runs (as another process would)."""
    db = Database(settings.database_location)
    await db.open(features.migration_sets(features.load()))
    try:
        return await db.write(fn)
    finally:
        await db.close()


async def server_snapshot(client, token: dict[str, Any]) -> tuple[dict[str, Any], str]:
    r = await client.get(token["snapshot"], headers={"Authorization": f"Bearer {token['token']}"})
    assert r.status == 200, await r.text()
    return await r.json(), r.headers["ETag"]
