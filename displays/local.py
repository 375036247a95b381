"""What the agent serves on 127.0.0.1 to the kiosk browser.

- `/`: the pairing page until there is content, then the screen page the server gave
  (GET /api/v1/displays/{id}/page) with the snapshot on disk in its slot, so the first paint
  needs no request and the page is the server's own, with no server code on the Pi;
- `/snapshot.json` (ETag, `X-Quartier-Synced`: the last contact with the server),
  `/static/signage/…` (the page's files, from the cache), `/screens/assets/…` (images);
- `/events`: a WebSocket that tells the page about a new snapshot at once;
- `POST /heartbeat`: the page's heartbeat, that the browser watchdog listens to;
- `/status.json`, `/pair`.

Only loopback names are answered (no DNS rebinding); the heartbeat and `/events` answer only the
agent's own page (Origin, Sec-Fetch-Site), and every answer carries a strict CSP.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import html
import json
import time
from pathlib import Path
from typing import Any

from displays import http
from displays.cache import ASSET_PREFIX, Cache
from displays.config import AgentConfig
from displays.pages import pairing_page
from displays.power import Method

OWN_STATIC = Path(__file__).parent / "static"
CONTENT_TYPES = {
    "css": "text/css; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
    "svg": "image/svg+xml",
}


# The local page is the agent's own: its scripts, styles and images come from the agent, its
# sockets and fetches go back to it, no other page may frame it, and no inline script runs (the
# snapshot's <script type="application/json"> is data, which CSP does not block). The server's
# policy (quartier/web.py) is the same but for its forms: the agent imports nothing of the server.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",  # no other site may load its files or images
}
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def from_own_page(req: http.Request) -> bool:
    """Whether a request comes from the agent's own local page, as the browser says.

    A browser names the page behind every POST and WebSocket (`Origin`, and `Sec-Fetch-Site`
    in current ones); a page of any other site, port or scheme, a sandboxed frame (`null`), or a
    client that names none is not the agent's page."""
    site = req.headers.get("sec-fetch-site")
    if site is not None and site != "same-origin":
        return False
    return req.headers.get("origin") == "http://" + req.headers.get("host", "")


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat()


def fill_slot(page: dict[str, Any], snapshot_bytes: bytes, etag: str, synced: float | None) -> str:
    """The server's page with the snapshot embedded where it asked (JSON safe inside <script>)."""
    data = snapshot_bytes.decode().replace("<", "\\u003c")
    attrs = f' data-etag="{html.escape(etag)}"'
    if synced:
        attrs += f' data-synced="{iso(synced)}"'
    script = f'<script type="application/json" id="screen-snapshot"{attrs}>{data}</script>'
    return page["html"].replace(page.get("slot") or "<!--quartier:snapshot-->", script, 1)


class LocalPages:
    """The local server's answers; the Agent holds the state they show."""

    cache: Cache
    record: dict[str, Any] | None
    page: dict[str, Any] | None
    snapshot_bytes: bytes
    synced: float | None
    token: dict[str, Any] | None
    pairing: dict[str, Any] | None
    address: str
    sockets: set[http.LocalSocket]
    browser_beat: float | None
    browser_report: dict[str, Any]
    server: http.LocalServer
    config: AgentConfig
    power_method: Method | None

    def status(self) -> dict[str, Any]:
        raise NotImplementedError  # the Agent's

    async def handle(self, req: http.Request) -> http.Response | None:
        """Every answer with the security headers; what acts or listens only for the own page."""
        host = req.headers.get("host", "").rsplit(":", 1)[0]
        if host not in LOOPBACK:
            response: http.Response | None = http.Response(403, b"local only")  # no DNS rebinding
        elif (req.method == "POST" or req.path == "/events") and not from_own_page(req):
            response = http.Response(403, b"only the agent's own page")  # no other site's page
        else:
            response = await self.route(req)
        if response is not None:
            response.headers = {**SECURITY_HEADERS, **response.headers}
        return response

    async def route(self, req: http.Request) -> http.Response | None:
        path = req.path
        if req.method == "POST" and path == "/heartbeat":
            return self.page_heartbeat(req)
        if req.method not in ("GET", "HEAD"):
            return http.Response(405, b"")
        if path == "/":
            return self.home()
        if path == "/pair":
            return self.pair_page()
        if path == "/snapshot.json":
            return self.local_snapshot(req)
        if path == "/status.json":
            return http.Response(200, json.dumps(self.status()).encode(), "application/json")
        if path == "/events":
            await self.events(req)  # a WebSocket: it answers on the socket itself
            return None
        if path.startswith("/static/"):
            return self.static(path)
        if path.startswith(ASSET_PREFIX):
            file = self.cache.asset_path(path[len(ASSET_PREFIX) :])
            if file is not None and file.is_file():
                return http.Response(200, file.read_bytes(), content_type(file.name))
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
            headers["X-Quartier-Synced"] = iso(self.synced)
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
        if path == "/static/displays/pair.css":
            file: Path | None = OWN_STATIC / "pair.css"
        elif self.page and path in self.page["files"]:
            file = self.cache.page_path(path)
        else:
            file = None
        if file is None or not file.is_file():
            return http.Response(404, b"not found")
        return http.Response(200, file.read_bytes(), content_type(file.name))

    def home(self) -> http.Response:
        if not (self.record and self.page):
            return self.pair_page()
        page = fill_slot(self.page, self.snapshot_bytes, self.record["etag"], self.synced)
        return http.Response(200, page.encode(), "text/html; charset=utf-8")

    def pair_page(self) -> http.Response:
        code = self.pairing["code"] if self.pairing and not self.token else None
        page = pairing_page(
            code=code,
            paired=self.token is not None,
            address=self.address,
            server=self.config.server,
            power=self.power_method.sentence() if self.power_method else "",
        )
        return http.Response(200, page.encode(), "text/html; charset=utf-8")
