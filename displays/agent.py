"""The display agent: pairs, keeps the snapshot on disk, serves the screen page on localhost.

Tasks, all in one event loop:

- the link to the server (displays.link): pairing, the change bus, the snapshot and the screen
  page fetched when they change;
- the local server (127.0.0.1:port, displays.local) over what is on disk;
- the health heartbeat to the server every 30 s, and a nudge to the page every minute;
- screen power on the snapshot's schedule (displays.schedule); the browser watchdog
  (displays.watchdog).

This module holds the state those tasks share, runs them, and is the `quartier-display` command.

A restarted agent serves what is on disk before it tries the network at all. It imports
nothing of the server: the Pi installs it alone (displays/pyproject.toml).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import logging
import os
import signal
import socket
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from displays import AGENT_VERSION, health, http, i18n, power
from displays import config as config_module
from displays.cache import Cache
from displays.config import AgentConfig, ConfigError
from displays.link import ServerLink
from displays.local import LocalPages
from displays.schedule import Clock, PowerSchedule
from displays.watchdog import BrowserWatchdog

log = logging.getLogger("displays")


def local_address(server: str) -> str:
    """The Pi's address on the network towards the server (a UDP "connect" sends nothing)."""
    parts = urlsplit(server)
    host = parts.hostname or "192.0.2.1"
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect((host if host not in ("localhost",) else "127.0.0.1", parts.port or 80))
            return s.getsockname()[0]
    except OSError:
        return "?"


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def clock_from_environment() -> Clock:
    """The agent's clock: real time, or (tests) `QUARTIER_DISPLAY_NOW=ISO`, a start that then moves on,
    like the screen page's `?now=`."""
    raw = os.environ.get("QUARTIER_DISPLAY_NOW", "")
    if not raw:
        return system_clock
    try:
        start = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise ConfigError(f"QUARTIER_DISPLAY_NOW: not an ISO date and time: {raw!r}") from None
    if start.tzinfo is None:
        raise ConfigError("QUARTIER_DISPLAY_NOW: give the offset too (e.g. 2026-03-02T10:00:00+01:00)")
    offset = start - system_clock()
    return lambda: system_clock() + offset


class Agent(ServerLink, LocalPages, PowerSchedule, BrowserWatchdog):
    """The agent's state, shared by its tasks (each mixin is one concern, in its own module)."""

    def __init__(self, config: AgentConfig, clock: Clock = system_clock):
        self.config = config
        self.clock = clock
        self.cache = Cache(config.cache)
        self.started = time.monotonic()
        self.token: dict[str, Any] | None = self.cache.load_token()
        self.record: dict[str, Any] | None = self.cache.load_snapshot()
        self.page: dict[str, Any] | None = self.cache.load_page()
        self.page_due = True  # ask the server for its page on the next fetch
        self.snapshot_bytes = b""
        self._encode()
        # The last contact with the server, not the last change of content: a restart offline
        # must not take "mis à jour à HH:MM" back to when the snapshot was written.
        known = [t for t in (self.record and self.record["received"], self.cache.load_contact()) if t]
        self.synced: float | None = max(known) if known else None
        self.pairing: dict[str, Any] | None = None
        self.bus_open = False
        self.want_fetch = asyncio.Event()
        self.resubscribe = asyncio.Event()  # set when a new snapshot follows other channels
        self.sockets: set[http.LocalSocket] = set()
        self.browser_beat: float | None = None  # monotonic time of the page's last heartbeat
        self.browser_report: dict[str, Any] = {}
        self.browser_process: asyncio.subprocess.Process | None = None
        self.browser_restarts = 0
        self.power_state: bool | None = None
        self.power_method: power.Method | None = None
        self.power_due = asyncio.Event()
        self.fetches = {"ok": 0, "not_modified": 0, "failed": 0, "written": 0}
        self.server = http.LocalServer(self.handle, "127.0.0.1", config.port)
        self.address = "?"
        self._tasks: list[asyncio.Task] = []
        self._stopping = asyncio.Event()

    # -- state

    @property
    def display_id(self) -> int | None:
        return self.token["id"] if self.token else None

    @property
    def snapshot(self) -> dict[str, Any] | None:
        return self.record["snapshot"] if self.record else None

    def _encode(self) -> None:
        self.snapshot_bytes = json.dumps(self.snapshot, ensure_ascii=False).encode() if self.record else b""

    def status(self) -> dict[str, Any]:
        return {
            "agent_version": AGENT_VERSION,
            "paired": self.token is not None,
            "display": self.display_id,
            "pairing_code": self.pairing["code"] if self.pairing and not self.token else None,
            "connected": self.bus_open,
            "synced": self.synced,
            "version": self.snapshot["version"] if self.snapshot else None,
            "etag": self.record["etag"] if self.record else None,
            "browser_heartbeat_age": None
            if self.browser_beat is None
            else round(time.monotonic() - self.browser_beat, 1),
            "browser_restarts": self.browser_restarts,
            "power": self.power_state,
            "power_control": self.power_method.report() if self.power_method else None,
            "page": self.page["etag"] if self.page else None,
            "fetches": self.fetches,
            "rss": health.rss_bytes(),
        }

    def contact(self) -> None:
        """The server answered: note when (on disk too, now and then)."""
        self.synced = time.time()
        self.cache.save_contact(self.synced)

    def page_url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/"

    def notify_pages(self, kind: str) -> None:
        message = json.dumps({"type": kind})
        for sock in list(self.sockets):
            sock.send(message)

    def stored(self) -> None:
        self._encode()
        self.notify_pages("snapshot")
        self.apply_power_soon()

    # -- running

    async def run(self) -> None:
        await self.server.start()
        self.address = await asyncio.get_running_loop().run_in_executor(None, local_address, self.config.server)
        log.info("serving the screen on http://127.0.0.1:%s/ (Pi address %s)", self.server.port, self.address)
        jobs = [self.link(), self.heartbeats(), self.power_loop(), self.page_pings()]
        if self.config.browser:
            jobs.append(self.browser_watchdog())
        elif self.config.browser_restart:
            jobs.append(self.kiosk_watchdog())
        self._tasks = [asyncio.create_task(job) for job in jobs]
        try:
            await self._stopping.wait()
        finally:
            for task in self._tasks:
                task.cancel()
            for task in self._tasks:
                with contextlib.suppress(BaseException):
                    await task
            await self.stop_browser()
            await self.server.stop()
            if self.synced:
                self.cache.save_contact(self.synced, force=True)

    def stop(self) -> None:
        self._stopping.set()

    # -- the link to the server

    # -- health

    async def heartbeats(self) -> None:
        while True:
            await asyncio.sleep(self.config.heartbeat_every)
            if self.token is None:
                continue
            with contextlib.suppress(http.HTTPError):
                await self.send_heartbeat()

    async def send_heartbeat(self) -> None:
        assert self.token is not None
        report = health.report(
            cache_dir=self.config.cache, uptime=time.monotonic() - self.started, agent_version=AGENT_VERSION
        )
        shown = self.browser_report.get("snapshot_version") if self.browser_alive() else None
        if not isinstance(shown, int) and self.snapshot:
            shown = self.snapshot["version"]
        report.update(snapshot_version=shown, browser_alive=self.browser_alive())
        if self.power_method:
            report.update(power_control=self.power_method.name, power_ok=self.power_method.ok)
        reply = await http.request(
            "POST",
            self.config.server + self.token["heartbeat"],
            headers={**self.auth(), "Content-Type": "application/json"},
            body=json.dumps(report).encode(),
        )
        if reply.status == 200:
            self.contact()
        elif reply.status == 401:
            self.want_fetch.set()  # the fetch confirms it and goes back to pairing

    async def page_pings(self) -> None:
        """While the agent is in touch with the server, nudge the page every minute: it refetches
        (locally, a 304) and learns the sync time, so it shows "mis à jour à" only when it should."""
        while True:
            await asyncio.sleep(60)
            if self.bus_open:
                self.notify_pages("synced")


# -- the command


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quartier-display", description=i18n.gettext(config_module.DESCRIPTION))
    parser.add_argument("--config", metavar="FILE", help=i18n.gettext("réglages YAML (les options l'emportent)"))
    config_module.add_arguments(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        config = config_module.load(args)
        clock = clock_from_environment()
    except ConfigError as e:
        print(f"quartier-display: {e}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=os.environ.get("QUARTIER_DISPLAY_LOG", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        return asyncio.run(_run(config, clock))
    except KeyboardInterrupt:
        return 130


async def _run(config: AgentConfig, clock: Clock) -> int:
    agent = Agent(config, clock)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, agent.stop)
    try:
        await agent.run()
    except OSError as e:
        print(f"quartier-display: {e}", file=sys.stderr)
        return 2
    return 0
