"""The display agent: pairs, keeps the snapshot on disk, serves the screen page on localhost.

Tasks, all in one event loop:

- the link: pairing when there is no token, else the server's change bus (`display:{id}`,
  `websockets`, jittered exponential backoff 1 s → 60 s) and snapshot fetches (If-None-Match)
  when told, on each reconnection and at least every 10 minutes; a 401 sends it back to pairing
  while the last content stays on screen;
- the screen page: downloaded from the server (GET /api/v1/displays/{id}/page, If-None-Match)
  with the files it loads, on each connection and with each new snapshot;
- the local server (127.0.0.1:port, displays.local) over what is on disk;
- the health heartbeat to the server every 30 s;
- screen power on the snapshot's schedule (displays.power); the browser watchdog (displays.watchdog).

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
import random
import signal
import socket
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

from displays import AGENT_VERSION, health, http, i18n, power
from displays import config as config_module
from displays.backoff import Backoff
from displays.cache import ASSET_PREFIX, Cache, asset_names
from displays.config import AgentConfig, ConfigError
from displays.local import LocalPages
from displays.watchdog import BrowserWatchdog

log = logging.getLogger("displays")

PAIR_POLL_SECONDS = 2.0
Clock = Callable[[], dt.datetime]


class Unpaired(Exception):
    """The server no longer knows our token (revoked, or the screen was deleted)."""


def is_on(power: dict[str, Any] | None, at: dt.datetime) -> bool:
    """Should the screen be lit (the snapshot's `power`: always_on, or within one of its `on` intervals)?"""
    if not power or power.get("always_on", True):
        return True
    try:
        return any(dt.datetime.fromisoformat(a) <= at < dt.datetime.fromisoformat(b) for a, b in power.get("on", []))
    except (TypeError, ValueError):
        return True  # an unreadable schedule must never darken a screen


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


class Agent(LocalPages, BrowserWatchdog):
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

    def auth(self) -> dict[str, str]:
        assert self.token is not None
        return {"Authorization": f"Bearer {self.token['token']}"}

    async def link(self) -> None:
        while True:
            if self.token is None:
                await self.pair()
                continue
            try:
                await self.connected()
            except Unpaired:
                log.warning("the server refused our token (revoked?): back to pairing, keeping the last content")
                self.cache.forget_token()
                self.token = None
                self.bus_open = False

    async def pair(self) -> None:
        """Ask a code, show it, poll until staff claim it; keep the token (0600)."""
        backoff = Backoff(self.config.backoff_start, self.config.backoff_max)
        while self.token is None:
            try:
                reply = await http.request(
                    "POST",
                    f"{self.config.server}/api/v1/displays/pair",
                    headers={"Content-Type": "application/json"},
                    body=b"{}",
                )
                if reply.status != 201:
                    raise http.HTTPError(f"pairing answered {reply.status}")
                self.pairing = reply.json()
                log.warning("pairing code %s: enter it at %s/staff/screens", self.pairing["code"], self.config.server)
                backoff.reset()
                await self.poll_claim(self.pairing)
            except (http.HTTPError, ValueError, KeyError) as e:
                log.info("pairing: %s", e)
                await asyncio.sleep(backoff.next())
        self.pairing = None

    async def poll_claim(self, pairing: dict[str, Any]) -> None:
        backoff = Backoff(self.config.backoff_start, self.config.backoff_max)
        url = f"{self.config.server}/api/v1/displays/pair/{quote(pairing['claim'])}"
        while time.time() < float(pairing.get("expires") or 0) or not pairing.get("expires"):
            try:
                reply = await http.request("GET", url)
            except http.HTTPError:
                await asyncio.sleep(backoff.next())
                continue
            if reply.status == 202:
                backoff.reset()
                await asyncio.sleep(PAIR_POLL_SECONDS)
                continue
            if reply.status == 200:
                given = reply.json()
                token = {
                    "server": self.config.server,
                    "id": int(given["id"]),
                    "token": given["token"],
                    "snapshot": given.get("snapshot") or f"/api/v1/displays/{given['id']}/snapshot",
                    "heartbeat": given.get("heartbeat") or f"/api/v1/displays/{given['id']}/heartbeat",
                    "channel": given["channel"],  # the screen's own channel, named by the server
                }
                self.cache.save_token(token)
                self.token = token
                log.warning("paired as screen %s", token["id"])
                return
            if reply.status in (404, 410):
                return  # expired or lost: ask a new code
            await asyncio.sleep(backoff.next())

    async def connected(self) -> None:
        """The bus and the fetches side by side, until the token is refused."""
        self.want_fetch.set()
        bus = asyncio.create_task(self.bus())
        fetcher = asyncio.create_task(self.fetcher())
        try:
            done, _pending = await asyncio.wait({bus, fetcher}, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                task.result()  # raises Unpaired
        finally:
            for task in (bus, fetcher):
                task.cancel()
            for task in (bus, fetcher):
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            self.bus_open = False

    def followed(self) -> str:
        """The channels to follow: those the snapshot lists (the screen's own, the programme, its site,
        the boards running there), else the screen's own channel from the pairing."""
        assert self.token is not None
        listed = (self.snapshot or {}).get("channels")
        return ",".join(listed) if isinstance(listed, list) and listed else self.token["channel"]

    def bus_url(self, channels: str) -> str:
        base = self.config.server.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        return f"{base}/ws?channels={quote(channels, safe=':,')}"

    async def bus(self) -> None:
        """Hold the snapshot's channels open; every message (and every reconnection) means "fetch
        again"; a new snapshot that follows other channels (a board opened) means "reconnect"."""
        from websockets.asyncio.client import connect
        from websockets.exceptions import InvalidStatus, WebSocketException

        backoff = Backoff(self.config.backoff_start, self.config.backoff_max)
        while True:
            refused = False
            try:
                channels = self.followed()
                async with connect(
                    self.bus_url(channels),
                    additional_headers=self.auth(),
                    open_timeout=10,
                    ping_interval=20,
                    ping_timeout=20,
                    close_timeout=2,
                    max_size=65536,
                    compression=None,
                    user_agent_header="quartier-display",
                ) as ws:
                    self.bus_open = True
                    self.contact()
                    backoff.reset()
                    self.page_due = True  # the server may have been upgraded meanwhile
                    self.want_fetch.set()
                    self.notify_pages("synced")
                    while await self.next_message(ws):
                        self.contact()
                        self.want_fetch.set()
            except InvalidStatus as e:
                log.info("bus refused: %s", e.response.status_code)
                self.want_fetch.set()  # the fetch tells a revoked token (401) from a passing error
            except (TimeoutError, OSError, WebSocketException) as e:
                refused = isinstance(e, ConnectionRefusedError)
                log.info("bus: %s %s", e.__class__.__name__, e)
            if self.bus_open:
                self.bus_open = False
                self.notify_pages("offline")
            await self.wait_before_reconnecting(backoff.next(), refused)

    async def next_message(self, ws: Any) -> bool:
        """Wait for the next message (True), or for a snapshot that lists other channels (False:
        reconnect on those). A closed connection raises, as a read does."""
        receive = asyncio.ensure_future(ws.recv())
        changed = asyncio.ensure_future(self.resubscribe.wait())
        done, _pending = await asyncio.wait({receive, changed}, return_when=asyncio.FIRST_COMPLETED)
        if receive in done:
            changed.cancel()
            receive.result()
            return True
        receive.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await receive
        self.resubscribe.clear()
        return False

    async def wait_before_reconnecting(self, wait: float, refused: bool) -> None:
        """Sleep `wait`; but when the server was plainly down (connection refused), probe its port every
        second with a bare TCP connect, so its return is noticed at once rather than after up to 60 s.
        The backoff still spares a server that answers badly."""
        if not refused:
            await asyncio.sleep(wait)
            return
        parts = urlsplit(self.config.server)
        host, port = parts.hostname or "localhost", parts.port or (443 if parts.scheme == "https" else 80)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            await asyncio.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
            try:
                _r, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 2)
            except (TimeoutError, OSError):
                continue
            writer.transport.abort()
            await asyncio.sleep(random.random() * 0.5)  # a little jitter: not every screen at once
            return

    async def fetcher(self) -> None:
        """Fetch when told, or every 10 minutes; retry failures with backoff (a bus message cuts the wait)."""
        backoff = Backoff(self.config.backoff_start, self.config.backoff_max)
        wait = self.config.refetch_every
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.want_fetch.wait(), wait)
            self.want_fetch.clear()
            try:
                await self.fetch()
            except http.HTTPError as e:
                self.fetches["failed"] += 1
                log.info("snapshot: %s", e)
                wait = backoff.next()
                continue
            backoff.reset()
            wait = self.config.refetch_every

    async def fetch(self) -> None:
        """The snapshot (If-None-Match), then the page when due; content is stored page first, so a
        stored snapshot always has a page to show it and every image it names."""
        assert self.token is not None
        headers = self.auth()
        if self.record:
            headers["If-None-Match"] = self.record["etag"]
        reply = await http.request("GET", self.config.server + self.token["snapshot"], headers=headers)
        if reply.status in (401, 404):
            raise Unpaired()
        if reply.status == 304:
            self.fetches["not_modified"] += 1
            self.contact()
            if self.page_due or not self.page:
                await self.fetch_page()
            return
        if reply.status != 200:
            raise http.HTTPError(f"snapshot answered {reply.status}")
        snapshot, etag = _read_snapshot(reply)
        self.fetches["ok"] += 1
        self.contact()
        if self.record and self.record["etag"] == etag:
            return  # same content: nothing to write
        names = asset_names(snapshot)
        for name in names:  # images first: a stored snapshot never points at a missing image
            if not self.cache.has_asset(name):
                image = await http.request("GET", self.config.server + ASSET_PREFIX + name)
                if image.status != 200:
                    raise http.HTTPError(f"image {name} answered {image.status}")
                self.cache.save_asset(name, image.body)
        await self.fetch_page()  # a new snapshot may come with a new page (a new server, language)
        before = self.followed()
        self.record = self.cache.save_snapshot(snapshot, etag)
        self.fetches["written"] += 1
        self._encode()
        if self.followed() != before:
            self.resubscribe.set()
        self.cache.prune_assets(names)
        log.info("new snapshot: version %s", snapshot["version"])
        self.notify_pages("snapshot")
        self.apply_power_soon()

    async def fetch_page(self) -> None:
        """The server's screen page and the files it loads, kept on disk when they change."""
        assert self.token is not None
        headers = self.auth()
        if self.page:
            headers["If-None-Match"] = self.page["etag"]
        url = f"{self.config.server}/api/v1/displays/{self.token['id']}/page"
        reply = await http.request("GET", url, headers=headers)
        if reply.status == 304 and self.page:
            self.page_due = False
            return
        if reply.status != 200:
            raise http.HTTPError(f"page answered {reply.status}")
        try:
            given = reply.json()
            page = {"etag": reply.headers.get("etag", ""), "html": given["html"], "slot": given["slot"]}
            page["files"] = [p for p in given["files"] if self.cache.page_path(p)]
            if not isinstance(page["html"], str) or len(page["files"]) != len(given["files"]):
                raise ValueError("not a screen page")
        except (ValueError, KeyError, TypeError) as e:
            raise http.HTTPError(f"page unreadable: {e}") from e
        files = {}
        for path in page["files"]:
            answer = await http.request("GET", self.config.server + path)
            if answer.status != 200:
                raise http.HTTPError(f"{path} answered {answer.status}")
            files[path] = answer.body
        changed, self.page = self.page is not None, self.cache.save_page(page, files)
        self.page_due = False
        log.info("new screen page %s", page["etag"])
        if changed:
            self.notify_pages("reload")  # a browser showing the old page takes the new one

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

    # -- screen power

    def apply_power_soon(self) -> None:
        self.power_due.set()

    async def power_loop(self) -> None:
        """Find how this screen is switched off (said once), then follow the snapshot's schedule."""
        method = await power.choose(self.config.power, self.config.power_on, self.config.power_off)
        self.power_method = method
        log.warning("%s", method.sentence())
        switch = power.Switch(method)
        failed_at = None
        while True:
            snapshot = self.snapshot
            if snapshot:
                want = is_on(snapshot.get("power"), self.clock())
                retry_due = failed_at is None or time.monotonic() - failed_at > switch.retry_after()
                if want != self.power_state and retry_due:
                    if await switch.set(want):
                        self.power_state, failed_at = want, None
                    else:
                        failed_at = time.monotonic()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.power_due.wait(), self.config.power_every)
            self.power_due.clear()


def _read_snapshot(reply: http.Reply) -> tuple[dict[str, Any], str]:
    try:
        snapshot = reply.json()
        if not (
            isinstance(snapshot, dict)
            and isinstance(snapshot.get("version"), int)
            and isinstance(snapshot.get("sessions"), list)
        ):
            raise ValueError("not a snapshot")
    except ValueError as e:
        raise http.HTTPError(f"snapshot unreadable: {e}") from e
    return snapshot, reply.headers.get("etag", "")


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
