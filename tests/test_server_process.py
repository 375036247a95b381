"""A real `quartier serve` process: writes survive kill -9, backups are consistent, logs hold no secrets."""

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest

from quartier import auth
from quartier.settings import load

from .conftest import PASSWORD

# Real servers over the SQLite file that `quartier init` makes: kill -9, backup, the CLI.
pytestmark = pytest.mark.sqlite_only

ENV = {**os.environ, "LANG": "fr_FR.UTF-8"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def quartier(*args, cwd, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "quartier", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        input=stdin,
        env=ENV,
        timeout=60,
    )


class Server:
    """`quartier serve` in a subprocess (its own process group, with its workers), on a free port."""

    def __init__(self, folder: Path, workers: int = 1, port: int | None = None):
        self.folder = folder
        self.workers = workers
        self.port = port or free_port()
        self.proc = None

    def start(self, log=None):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "quartier", "serve", "--port", str(self.port), "--workers", str(self.workers)],
            cwd=self.folder,
            env=ENV,
            stdout=log or subprocess.DEVNULL,
            stderr=log or subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url("/healthz"), timeout=1)
                return self
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError("server did not start")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def kill(self):
        """SIGKILL for the server and every worker at once: a power cut, as far as they can tell."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def organizer_site(folder: Path, extra_config: str = "") -> dict[str, str]:
    """A folder set up as an administrator would (`init`, an organizer, an API token): its headers."""
    assert quartier("init", ".", cwd=folder).returncode == 0
    if extra_config:
        config = folder / "quartier.yaml"
        config.write_text(config.read_text() + "\n" + extra_config)
    added = quartier(
        "user", "add", "orga", "--role", "organizer", "--password-stdin", cwd=folder, stdin=PASSWORD + "\n"
    )
    assert added.returncode == 0, added.stderr
    return {"Authorization": f"Bearer {quartier('token', 'create', 'orga', cwd=folder).stdout.strip()}"}


@pytest.fixture
def site(tmp_path):
    assert quartier("init", ".", cwd=tmp_path).returncode == 0
    result = quartier(
        "user", "add", "anim", "--role", "facilitator", "--password-stdin", cwd=tmp_path, stdin=PASSWORD + "\n"
    )
    assert result.returncode == 0, result.stderr
    return tmp_path


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def browser():
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    return opener, jar


def login(server, opener, jar):
    opener.open(server.url("/healthz"))
    cookies = {c.name: c.value for c in jar}
    holder = f"s:{cookies['quartier_staff']}" if "quartier_staff" in cookies else f"d:{cookies['quartier_device']}"
    secret = load(server.folder / "quartier.yaml").secret_key
    body = urlencode({"name": "anim", "password": PASSWORD, "csrf_token": auth.csrf_token(secret, holder)})
    try:
        opener.open(server.url("/login"), data=body.encode())
    except urllib.error.HTTPError as e:
        assert e.code == 303, e.read()
    return next(c.value for c in jar if c.name == "quartier_staff")


def test_an_acknowledged_login_survives_kill_9(site):
    server = Server(site).start()
    opener, jar = browser()
    cookies = [login(server, opener, jar) for _ in range(5)]  # each login is a committed write
    server.kill()
    server = Server(site).start()
    try:
        response = opener.open(server.url("/staff"))
        assert response.status == 200  # the last acknowledged session is still valid
    finally:
        server.kill()
    db = sqlite3.connect(site / "quartier.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT count(*) FROM staff_sessions").fetchone()[0] == 1  # rotation kept only the last
    assert len(set(cookies)) == 5


def test_backup_while_the_server_runs(site):
    server = Server(site).start()
    try:
        opener, jar = browser()
        login(server, opener, jar)
        result = quartier("backup", "copy.db", cwd=site)
        assert result.returncode == 0, result.stderr
    finally:
        server.kill()
    copy = sqlite3.connect(site / "copy.db")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT name FROM users").fetchall() == [("anim",)]
    assert copy.execute("SELECT count(*) FROM staff_sessions").fetchone()[0] == 1


def test_cli_errors_are_one_line(site):
    result = quartier("user", "add", "x", "--role", "organizer", "--password-stdin", cwd=site, stdin="short\n")
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "10 caractères" in result.stderr
    result = quartier("token", "create", "nobody", cwd=site)
    assert result.returncode == 2 and "nobody" in result.stderr and "Traceback" not in result.stderr
    result = quartier("backup", "quartier.db", cwd=site)
    assert result.returncode == 2
    token = quartier("token", "create", "anim", cwd=site)
    assert token.returncode == 0 and token.stdout.startswith("qt_")


def test_demo_builds_and_prints_a_login(tmp_path):
    from quartier.demo import build_demo

    settings, (name, password) = build_demo(tmp_path / "demo", port=8123)
    assert settings.base_url == "http://127.0.0.1:8123"
    assert load(tmp_path / "demo" / "quartier.yaml").port == 8123
    db = sqlite3.connect(settings.database_path)
    assert db.execute("SELECT role FROM users WHERE name = ?", (name,)).fetchone() == ("organizer",)
    assert auth.verify_password(
        password, db.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()[0]
    )


def test_secrets_and_tokens_never_reach_the_log(site):
    token = quartier("token", "create", "anim", cwd=site).stdout.strip()
    log_path = site / "server.log"
    with open(log_path, "w") as log:
        server = Server(site).start(log=log)
        try:
            opener, jar = browser()
            cookie = login(server, opener, jar)
            request = urllib.request.Request(
                server.url("/staff?key=s3cr3t-facilitator-key&token=qd_display"),
                headers={"Authorization": f"Bearer {token}"},
            )
            assert opener.open(request).status == 200
            try:
                opener.open(server.url("/api/v1/x?key=s3cr3t-facilitator-key"))
            except urllib.error.HTTPError:
                pass
        finally:
            server.kill()
    text = log_path.read_text()
    assert '"GET /staff" 200' in text  # requests are logged, without their query string
    for secret in (token, cookie, PASSWORD, "s3cr3t-facilitator-key", "qd_display"):
        assert secret not in text
