"""The display agent: pairs, keeps the snapshot on disk, serves the screen page on localhost.

Tasks, all in one event loop:

- the link: pairing when there is no token, else the server's change bus (`display:{id}`,
  `websockets`, jittered exponential backoff 1 s → 60 s) and snapshot fetches (If-None-Match)
  when told, on each reconnection and at least every 10 minutes; a 401 sends it back to pairing
  while the last content stays on screen;
- the local server (127.0.0.1:port): the pairing page, the screen page of `signage` over the
  cached snapshot, its images, a WebSocket that tells the page about a new snapshot at once,
  and the heartbeat the page sends (the browser watchdog listens to it);
- the health heartbeat to the server every 30 s;
- screen power on the snapshot's schedule; optionally Chromium, restarted when it dies or hangs.

A restarted agent serves what is on disk before it tries the network at all.
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
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from displays import AGENT_VERSION, health, http
from displays import config as config_module
from displays.cache import ASSET_PREFIX, Cache, asset_names
from displays.config import AgentConfig, ConfigError

log = logging.getLogger("displays")

TEMPLATE_DIR = Path(__file__).parent / "templates"
OWN_STATIC = Path(__file__).parent / "static"
PAIR_POLL_SECONDS = 2.0


class Unpaired(Exception):
    """The server no longer knows our token (revoked, or the screen was deleted)."""


class Backoff:
    """Jittered exponential backoff ("equal jitter"): each wait is between half and all of the
    current step, which doubles from `start` up to `cap`, so a hundred screens coming back after
    an outage do not all knock at the same second."""

    def __init__(self, start: float, cap: float):
        self.start, self.cap, self.step = start, cap, start

    def next(self) -> float:
        wait = self.step / 2 + random.random() * self.step / 2
        self.step = min(self.step * 2, self.cap)
        return wait

    def reset(self) -> None:
        self.step = self.start


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


class Agent:
    def __init__(self, config: AgentConfig):
        self.config = config
        self.cache = Cache(config.cache)
        self.started = time.monotonic()
        self.token: dict[str, Any] | None = self.cache.load_token()
        self.record: dict[str, Any] | None = self.cache.load_snapshot()
        self.snapshot_bytes = b""
        self._encode()
        self.synced: float | None = self.record["received"] if self.record else None
        self.pairing: dict[str, Any] | None = None
        self.bus_open = False
        self.want_fetch = asyncio.Event()
        self.sockets: set[http.LocalSocket] = set()
        self.browser_beat: float | None = None  # monotonic time of the page's last heartbeat
        self.browser_report: dict[str, Any] = {}
        self.browser_process: asyncio.subprocess.Process | None = None
        self.browser_restarts = 0
        self.power_state: bool | None = None
        self.power_due = asyncio.Event()
        self.fetches = {"ok": 0, "not_modified": 0, "failed": 0, "written": 0}
        self.server = http.LocalServer(self.handle, "127.0.0.1", config.port)
        self.address = "?"
        self._page_cache: tuple[Any, str] | None = None
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
            "fetches": self.fetches,
            "rss": health.rss_bytes(),
        }

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
                    "channel": given.get("channel") or f"display:{given['id']}",
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

    def bus_url(self) -> str:
        assert self.token is not None
        base = self.config.server.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        return f"{base}/ws?channels={quote(self.token['channel'], safe=':')}"

    async def bus(self) -> None:
        """Hold `display:{id}` open; every message (and every reconnection) means "fetch again"."""
        from websockets.asyncio.client import connect
        from websockets.exceptions import InvalidStatus, WebSocketException

        backoff = Backoff(self.config.backoff_start, self.config.backoff_max)
        while True:
            refused = False
            try:
                async with connect(
                    self.bus_url(),
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
                    self.synced = time.time()
                    backoff.reset()
                    self.want_fetch.set()
                    self.notify_pages("synced")
                    async for _message in ws:
                        self.synced = time.time()
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
        assert self.token is not None
        headers = self.auth()
        if self.record:
            headers["If-None-Match"] = self.record["etag"]
        reply = await http.request("GET", self.config.server + self.token["snapshot"], headers=headers)
        if reply.status in (401, 404):
            raise Unpaired()
        if reply.status == 304:
            self.fetches["not_modified"] += 1
            self.synced = time.time()
            return
        if reply.status != 200:
            raise http.HTTPError(f"snapshot answered {reply.status}")
        try:
            snapshot = reply.json()
            etag = reply.headers.get("etag", "")
            if not (
                isinstance(snapshot, dict)
                and isinstance(snapshot.get("version"), int)
                and isinstance(snapshot.get("sessions"), list)
            ):
                raise ValueError("not a snapshot")
        except ValueError as e:
            raise http.HTTPError(f"snapshot unreadable: {e}") from e
        self.fetches["ok"] += 1
        self.synced = time.time()
        if self.record and self.record["etag"] == etag:
            return  # same content: nothing to write
        names = asset_names(snapshot)
        for name in names:  # images first: a stored snapshot never points at a missing image
            if not self.cache.has_asset(name):
                image = await http.request("GET", self.config.server + ASSET_PREFIX + name)
                if image.status != 200:
                    raise http.HTTPError(f"image {name} answered {image.status}")
                self.cache.save_asset(name, image.body)
        self.record = self.cache.save_snapshot(snapshot, etag)
        self.fetches["written"] += 1
        self._encode()
        self.cache.prune_assets(names)
        log.info("new snapshot: version %s", snapshot["version"])
        self.notify_pages("snapshot")
        self.apply_power_soon()

    # -- health

    async def heartbeats(self) -> None:
        while True:
            await asyncio.sleep(self.config.heartbeat_every)
            if self.token is None:
                continue
            with contextlib.suppress(http.HTTPError):
                await self.send_heartbeat()

    def browser_alive(self) -> bool:
        if self.browser_beat is None or time.monotonic() - self.browser_beat > self.config.browser_silence:
            return False
        return self.browser_process is None or self.browser_process.returncode is None

    async def send_heartbeat(self) -> None:
        assert self.token is not None
        report = health.report(
            cache_dir=self.config.cache, uptime=time.monotonic() - self.started, agent_version=AGENT_VERSION
        )
        shown = self.browser_report.get("snapshot_version") if self.browser_alive() else None
        if not isinstance(shown, int) and self.snapshot:
            shown = self.snapshot["version"]
        report.update(snapshot_version=shown, browser_alive=self.browser_alive())
        reply = await http.request(
            "POST",
            self.config.server + self.token["heartbeat"],
            headers={**self.auth(), "Content-Type": "application/json"},
            body=json.dumps(report).encode(),
        )
        if reply.status == 200:
            self.synced = time.time()
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
        if not (self.config.power_on or self.config.power_off):
            return
        failed_at = 0.0
        while True:
            snapshot = self.snapshot
            if snapshot:
                want = is_on(snapshot.get("power"), dt.datetime.now(dt.UTC))
                if want != self.power_state and time.monotonic() - failed_at > 300:
                    if await self.run_power(want):
                        self.power_state = want
                    else:
                        failed_at = time.monotonic()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.power_due.wait(), self.config.power_every)
            self.power_due.clear()

    async def run_power(self, on: bool) -> bool:
        argv = self.config.power_on if on else self.config.power_off
        if not argv:
            return True
        return await self.run_command(argv, f"screen power {'on' if on else 'off'}")

    async def run_command(self, argv: list[str], what: str) -> bool:
        """Run a configured command (argv, no shell); log and return False on any failure, never raise."""
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            _out, err = await asyncio.wait_for(process.communicate(), 15)
        except (TimeoutError, OSError) as e:
            log.warning("%s: %s failed: %s", what, argv[0], e)
            return False
        if process.returncode != 0:
            log.warning(
                "%s: %s exited %s: %s", what, argv[0], process.returncode, err.decode(errors="replace").strip()[:200]
            )
            return False
        log.info("%s: done", what)
        return True

    # -- the browser watchdog

    async def browser_watchdog(self) -> None:
        """Start Chromium on the local page; restart it when it exits or stops heartbeating."""
        backoff = Backoff(2.0, 60.0)
        url = f"http://127.0.0.1:{self.server.port}/"
        while True:
            started = time.monotonic()
            try:
                self.browser_process = await asyncio.create_subprocess_exec(
                    *self.config.browser_command,
                    url,
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.DEVNULL,
                    start_new_session=True,
                )
            except OSError as e:
                log.warning("cannot start the browser %s: %s", self.config.browser_command[0], e)
                await asyncio.sleep(backoff.next())
                continue
            self.browser_beat = None
            reason = await self.watch_browser(started)
            log.warning("restarting the browser: %s", reason)
            await self.stop_browser()
            self.browser_restarts += 1
            if time.monotonic() - started > 600:
                backoff.reset()
            await asyncio.sleep(backoff.next())

    async def kiosk_watchdog(self) -> None:
        """The kiosk unit runs the browser: when its page goes silent, run `browser_restart`."""
        last_restart = time.monotonic()
        while True:
            await asyncio.sleep(min(5.0, self.config.browser_silence / 3))
            heard = self.browser_beat if self.browser_beat is not None else last_restart
            quiet = time.monotonic() - max(heard, last_restart)
            if quiet > self.config.browser_silence and time.monotonic() - last_restart > self.config.browser_grace:
                log.warning("the page stopped sending its heartbeat: restarting the kiosk")
                await self.run_command(self.config.browser_restart, "browser restart")
                self.browser_restarts += 1
                last_restart = time.monotonic()

    async def watch_browser(self, started: float) -> str:
        process = self.browser_process
        assert process is not None
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(process.wait(), 1.0)
            if process.returncode is not None:
                return f"it exited ({process.returncode})"
            last = self.browser_beat if self.browser_beat is not None else started + self.config.browser_grace
            if (
                time.monotonic() - max(last, started) > self.config.browser_silence
                and time.monotonic() - started > self.config.browser_grace
            ):
                return "the page stopped sending its heartbeat"

    async def stop_browser(self) -> None:
        process, self.browser_process = self.browser_process, None
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 5)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()

    # -- the local server

    async def handle(self, req: http.Request) -> http.Response | None:
        host = req.headers.get("host", "").rsplit(":", 1)[0]
        if host not in ("127.0.0.1", "localhost", "[::1]"):
            return http.Response(403, b"local only")  # no DNS rebinding from a web page
        path = req.path
        if req.method == "POST" and path == "/heartbeat":
            return self.page_heartbeat(req)
        if req.method not in ("GET", "HEAD"):
            return http.Response(405, b"")
        if path == "/":
            return self.home(req)
        if path == "/pair":
            return self.pair_page(req)
        if path == "/snapshot.json":
            return self.local_snapshot(req)
        if path == "/status.json":
            return http.Response(200, json.dumps(self.status()).encode(), "application/json")
        if path == "/events":
            return await self.events(req)
        if path.startswith("/static/"):
            return self.static(path)
        if path.startswith(ASSET_PREFIX):
            file = self.cache.asset_path(path[len(ASSET_PREFIX) :])
            if file is not None and file.is_file():
                return http.Response(200, file.read_bytes(), _content_type(file.name))
        return http.Response(404, b"not found")

    def page_heartbeat(self, req: http.Request) -> http.Response:
        self.browser_beat = time.monotonic()
        with contextlib.suppress(ValueError):
            report = json.loads(req.body or b"{}")
            if isinstance(report, dict):
                self.browser_report = {k: report[k] for k in ("snapshot_version", "uptime") if k in report}
        return http.Response(204)

    def local_snapshot(self, req: http.Request) -> http.Response:
        if not self.record:
            return http.Response(
                404, b'{"error":{"code":"no_snapshot","message":"pas encore de programme"}}', "application/json"
            )
        headers = {"ETag": self.record["etag"]}
        if self.synced:
            headers["X-Quartier-Synced"] = dt.datetime.fromtimestamp(self.synced, dt.UTC).isoformat()
        if req.headers.get("if-none-match") == self.record["etag"]:
            return http.Response(304, b"", headers=headers)
        return http.Response(200, self.snapshot_bytes, "application/json", headers)

    async def events(self, req: http.Request) -> None:
        sock = await http.accept_websocket(req)
        if sock is None:
            req.writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return None
        self.sockets.add(sock)
        try:
            await http.read_until_closed(req, sock)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.sockets.discard(sock)
        return None

    def static(self, path: str) -> http.Response:
        from signage.screen import STATIC_DIR, STATIC_FILES

        prefix, _, name = path[len("/static/") :].partition("/")
        if prefix == "signage" and name in STATIC_FILES:
            file = STATIC_DIR / name
        elif prefix == "displays" and name in ("pair.css",):
            file = OWN_STATIC / name
        else:
            return http.Response(404, b"not found")
        return http.Response(200, file.read_bytes(), _content_type(name))

    def home(self, req: http.Request) -> http.Response:
        if not self.record:
            return self.pair_page(req)
        return http.Response(200, self.screen_page().encode(), "text/html; charset=utf-8")

    def screen_page(self) -> str:
        """The signage screen page, pointed at this agent; the first paint needs no request."""
        from signage.screen import page_html

        snapshot = self.snapshot or {}
        key = (snapshot.get("display", {}).get("id"), snapshot.get("language"), self.record and self.record["etag"])
        if self._page_cache and self._page_cache[0] == key:
            return self._page_cache[1]
        html = page_html(
            snapshot_url="/snapshot.json",
            ws_url="/events",
            heartbeat_url="/heartbeat",
            display_id=key[0] or "",
            static_prefix="/static/signage/",
            initial=self.snapshot,
            initial_etag=self.record["etag"] if self.record else "",
            lang=snapshot.get("language") or "fr",
        )
        self._page_cache = (key, html)
        return html

    def pair_page(self, req: http.Request) -> http.Response:
        from displays.pages import pairing_page

        code = self.pairing["code"] if self.pairing and not self.token else None
        html = pairing_page(
            code=code,
            paired=self.token is not None,
            address=self.address,
            server=self.config.server,
            port=self.server.port,
        )
        return http.Response(200, html.encode(), "text/html; charset=utf-8")


def _content_type(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower()
    return {
        "css": "text/css; charset=utf-8",
        "js": "text/javascript; charset=utf-8",
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "webp": "image/webp",
        "gif": "image/gif",
        "svg": "image/svg+xml",
    }.get(ext, "application/octet-stream")


# -- the command


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quartier display", description="the Raspberry Pi display agent")
    parser.add_argument("--config", metavar="FILE", help="YAML settings (flags win)")
    config_module.add_arguments(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    from quartier import i18n

    args = build_parser().parse_args(argv)
    try:
        config = config_module.load(args)
    except ConfigError as e:
        print(f"quartier display: {e}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=os.environ.get("QUARTIER_DISPLAY_LOG", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    i18n.load_catalogues(["quartier", "signage", "displays"])
    i18n.current_language.set(i18n.language_from_environment())
    try:
        return asyncio.run(_run(config))
    except KeyboardInterrupt:
        return 130


async def _run(config: AgentConfig) -> int:
    agent = Agent(config)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, agent.stop)
    try:
        await agent.run()
    except OSError as e:
        print(f"quartier display: {e}", file=sys.stderr)
        return 2
    return 0
