"""The server side of `make pi-check`: a real Quartier server on this machine, and its staff page
used as an organizer uses it (a login, then forms with their CSRF token)."""

from __future__ import annotations

import datetime as dt
import html
import http.cookiejar
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from pi_root import ROOT, Failed, sh, stop, wait

QUARTIER = [sys.executable, "-m", "quartier"]
ORGANIZER = ("pi-check", "correct horse battery staple")
SITE = ("le-blosne", "ESC Le Blosne")  # from events/example.yaml


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def this_week() -> str:
    """A permanence at the site every weekday morning from this week's Monday (the example's
    sessions are dated), so the screen has something on now whatever day the check runs."""
    monday = dt.date.today() - dt.timedelta(days=dt.date.today().weekday())
    sessions = "".join(
        f"""
  - key: pi-check-{day}
    site: {SITE[0]}
    title: Permanence numérique du matin
    kind: permanence
    axis: accompagnement
    date: {monday + dt.timedelta(days=day)}
    start: "08:30"
    end: "12:30"
    repeat: {{every: weekly, count: 3}}"""
        for day in range(5)
    )
    return f"version: 1\nsessions:{sessions}\n"


class Server:
    """A real Quartier server (`quartier init`, the example programme, one organizer)."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port, self.url = folder, port, f"http://127.0.0.1:{port}"
        self.config = folder / "quartier.yaml"
        self.process: subprocess.Popen | None = None
        sh(*QUARTIER, "init", folder, stdout=subprocess.DEVNULL)
        sh(*QUARTIER, "import", ROOT / "events/example.yaml", "--config", self.config, stdout=subprocess.DEVNULL)
        (folder / "this-week.yaml").write_text(this_week())
        sh(*QUARTIER, "import", folder / "this-week.yaml", "--config", self.config, stdout=subprocess.DEVNULL)
        sh(*QUARTIER, "user", "add", ORGANIZER[0], "--role", "organizer", "--password-stdin", "--config",
           self.config, input=ORGANIZER[1] + "\n", stdout=subprocess.DEVNULL)  # fmt: skip

    def start(self) -> None:
        with (self.folder / "server.log").open("ab") as log:
            self.process = subprocess.Popen(
                [*QUARTIER, "serve", "--config", self.config, "--port", str(self.port)],
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        wait("the server", lambda: get(f"{self.url}/api/v1/sites")[0] == 200, 30)

    def stop(self) -> None:
        if self.process:
            stop(self.process)


class Organizer:
    """An organizer's browser session on the staff pages: login, then forms with their CSRF token."""

    def __init__(self, server: Server) -> None:
        self.url = server.url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = self.open("/login")
        page = self.post("/login", page, name=ORGANIZER[0], password=ORGANIZER[1], next="/staff/screens")
        if "Jumeler un nouvel écran" not in page:
            raise Failed("the organizer's login does not lead to the screens page")

    def open(self, path: str, data: bytes | None = None) -> str:
        with self.opener.open(self.url + path, data, timeout=10) as r:
            return r.read().decode()

    def post(self, path: str, form_page: str, **fields: str) -> str:
        token = re.search(r'name="csrf_token" value="([^"]+)"', form_page)
        if not token:
            raise Failed(f"no CSRF token on the form before {path}")
        return self.open(path, urllib.parse.urlencode({**fields, "csrf_token": token.group(1)}).encode())

    def pair(self, code: str) -> str:
        """Types the code under « Jumeler un nouvel écran », picks the site and a name; the screen's page."""
        page = self.open("/staff/screens")
        site, _name = SITE
        return self.post("/staff/screens/claim", page, code=code, site=site, name="Hall", orientation="landscape")

    def screens_row(self) -> str:
        page = self.open("/staff/screens")
        found = re.search(r'<tr class="[^"]*" data-display="\d+">(.*?)</tr>', page, re.S)
        return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1)))).strip() if found else ""
