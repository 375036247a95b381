"""The agent's link to the server: pairing, the change bus and the fetches of what it shows.

- pairing when there is no token: a code to show, polled until staff claim it (the token kept,
  0600);
- else the server's change bus (the channels the snapshot lists, `websockets`, jittered
  exponential backoff 1 s → 60 s; a bare TCP probe every second while the server refuses
  connections, so its return is noticed at once) and snapshot fetches (If-None-Match) when told,
  on each reconnection and at least every 10 minutes;
- the screen page (GET /api/v1/displays/{id}/page, If-None-Match) and the files it loads, on
  each connection and with each new snapshot.

A 401 sends the agent back to pairing while the last content stays on screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from typing import Any
from urllib.parse import quote, urlsplit

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus, WebSocketException

from displays import http
from displays.backoff import Backoff
from displays.cache import ASSET_PREFIX, Cache, asset_names
from displays.config import AgentConfig

log = logging.getLogger("displays")

PAIR_POLL_SECONDS = 2.0


class Unpaired(Exception):
    """The server no longer knows our token (revoked, or the screen was deleted)."""


class ServerLink:
    """The link's tasks; the Agent holds the state they fill and the pages they notify."""

    config: AgentConfig
    cache: Cache
    token: dict[str, Any] | None
    record: dict[str, Any] | None
    page: dict[str, Any] | None
    page_due: bool
    pairing: dict[str, Any] | None
    bus_open: bool
    want_fetch: asyncio.Event
    resubscribe: asyncio.Event
    fetches: dict[str, int]

    @property
    def snapshot(self) -> dict[str, Any] | None:
        raise NotImplementedError  # the Agent's

    def contact(self) -> None:
        raise NotImplementedError  # the Agent's

    def notify_pages(self, kind: str) -> None:
        raise NotImplementedError  # the Agent's

    def stored(self) -> None:
        """A new snapshot is on disk (the Agent re-encodes it and looks at the screen's power)."""
        raise NotImplementedError  # the Agent's

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
        """Ask a code, show it, poll until staff claim it; keep the token (0600). While the server
        refuses connections (a Pi booted before its network or its server), its return is noticed
        within a second, so the code comes on screen as soon as it can."""
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
                await self.wait_before_reconnecting(backoff.next(), isinstance(e.__cause__, ConnectionRefusedError))
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
        try:
            done, _pending = await asyncio.wait({receive, changed}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:  # the agent stops: leave no read behind to fail unretrieved
            for future in (receive, changed):
                future.cancel()
                if future.done() and not future.cancelled():
                    future.exception()
            raise
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
        if self.followed() != before:
            self.resubscribe.set()
        self.cache.prune_assets(names)
        log.info("new snapshot: version %s", snapshot["version"])
        self.stored()

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
