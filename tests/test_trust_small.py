"""The smaller holes of the review (issue 16, point 8), each closed and kept closed.

Files readable by others, no HSTS behind HTTPS, the pairing claim in the access log, a
60000×60000 PNG accepted (in tests/test_hostile_input.py), `/changes.atom` broken by a
character XML forbids, the word cloud of draft minutes public, no bound on connections or on
slow requests.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import socket
import stat
import subprocess
import sys
import time
import xml.dom.minidom

import pytest
from aiohttp.test_utils import TestClient, TestServer

from quartier import xmltext
from quartier.app import create_app
from quartier.cli import logged_path
from quartier.typedefs import DB
from tests.events.helpers import add_session, add_site
from tests.forum.conftest import make_board
from tests.test_server_process import ENV, Server


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_init_and_demo_write_private_files(tmp_path):
    run = [sys.executable, "-m", "quartier", "init", str(tmp_path / "site")]
    assert subprocess.run(run, capture_output=True, env=ENV, timeout=60).returncode == 0
    site = tmp_path / "site"
    assert mode(site / "quartier.yaml") == 0o600
    assert mode(site / "quartier.db") == 0o600
    for extra in ("quartier.db-wal", "quartier.db-shm"):
        if (site / extra).exists():
            assert mode(site / extra) == 0o600
    backup = tmp_path / "copy.db"
    run = [sys.executable, "-m", "quartier", "backup", str(backup), "--config", str(site / "quartier.yaml")]
    assert subprocess.run(run, capture_output=True, env=ENV, timeout=60).returncode == 0
    assert mode(backup) == 0o600


async def test_hsts_only_behind_https(settings):
    for base, expected in (("https://quartier.example.org", True), ("http://quartier.test", False)):
        server = TestServer(create_app(dataclasses.replace(settings, base_url=base)))
        async with TestClient(server) as client:
            r = await client.get("/")
            assert ("Strict-Transport-Security" in r.headers) is expected, base


def test_the_access_log_masks_secrets_in_paths():
    class Request:
        def __init__(self, path, match_info):
            self.path, self.match_info = path, match_info

    claim = "kP3v_9sWq-ZfLr2XcYbN0aTuE7mH"
    assert logged_path(Request(f"/api/v1/displays/pair/{claim}", {"claim": claim})) == "/api/v1/displays/pair/…"
    assert logged_path(Request("/sites/maison-des-aines-et-des-aidants", {"slug": "x"})).endswith("aidants")
    assert logged_path(Request("/forum/boards/12/wall", {"id": "12"})) == "/forum/boards/12/wall"


async def test_xml_outputs_never_carry_characters_xml_forbids(client, bearer, server):
    assert xmltext.clean("a\ufffeb\x01c\x0bd\te") == "abcd\te"
    await add_site(server.app)
    session = await add_session(server.app, date=(dt.date.today()).isoformat())
    r = await client.post(
        f"/api/v1/sessions/{session}/cancellations",
        headers=bearer,
        json={"date": dt.date.today().isoformat(), "reason": "Panne\ufffe d'électricité"},
    )
    assert r.status in (200, 201), await r.text()
    await server.app[DB].write(
        lambda tx: tx.execute("UPDATE occurrence_exceptions SET reason = ?", ("Panne\ufffe\x01 d'électricité",))
    )
    atom = await (await client.get("/changes.atom")).text()
    xml.dom.minidom.parseString(atom.encode())  # parses: it is XML
    assert "Panne d'électricité" in atom


async def test_the_word_cloud_of_draft_minutes_is_for_staff(client, organizer, server):
    from quartier.typedefs import SETTINGS
    from reports import minutes_compile, minutes_store

    board = await make_board(server.app, "post")
    await client.post(f"/api/v1/boards/{board['id']}/notes", json={"text": "Un atelier sur les arnaques"})
    db = server.app[DB]
    await db.write(lambda tx: minutes_compile.compile_tx(tx, board["id"], server.app[SETTINGS].tz))
    assert (await client.get(f"/minutes/{board['id']}/wordcloud.svg")).status == 404  # a draft: not public
    assert (await organizer.get(f"/minutes/{board['id']}/wordcloud.svg")).status == 200
    await db.write(lambda tx: minutes_store.publish_tx(tx, board["id"], "staff"))
    assert (await client.get(f"/minutes/{board['id']}/wordcloud.svg")).status == 200


async def test_websockets_per_address_are_bounded(settings, make_client):
    server = TestServer(create_app(dataclasses.replace(settings, websockets_per_address=3)))
    async with TestClient(server) as client:
        sockets = [await client.ws_connect("/ws?channels=programme") for _ in range(3)]
        r = await client.get("/ws?channels=programme", headers={"Connection": "Upgrade", "Upgrade": "websocket"})
        assert r.status == 429 and "Retry-After" in r.headers
        await sockets[0].close()
        again = await client.ws_connect("/ws?channels=programme")  # one freed: one may come in
        for ws in [*sockets[1:], again]:
            await ws.close()


@pytest.fixture
def slow_site(tmp_path):
    assert subprocess.run([sys.executable, "-m", "quartier", "init", "."], cwd=tmp_path, env=ENV).returncode == 0
    with (tmp_path / "quartier.yaml").open("a") as f:
        f.write("request_header_timeout: 1\nrequest_body_timeout: 1\nconnections_per_address: 5\n")
    server = Server(tmp_path).start()
    yield server
    server.proc.terminate()
    server.proc.wait(10)


def test_a_request_sent_slowly_is_cut_and_connections_per_address_are_bounded(slow_site):
    # Headers trickled one byte at a time: cut after a second with a 408.
    with socket.create_connection(("127.0.0.1", slow_site.port)) as s:
        s.settimeout(5)
        start = time.monotonic()
        answer = b""
        try:
            for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\n":
                s.sendall(bytes([byte]))
                time.sleep(0.2)
        except OSError:
            pass
        try:
            answer = s.recv(200)
        except OSError:
            pass
        assert answer.startswith(b"HTTP/1.1 408") and time.monotonic() - start < 4
    # A body announced and never sent: cut too.
    with socket.create_connection(("127.0.0.1", slow_site.port)) as s:
        s.settimeout(5)
        s.sendall(
            b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 100\r\n\r\nname=a"
        )
        assert s.recv(200).startswith(b"HTTP/1.1 408")
    # Five connections held open: the sixth is refused at once, and a normal request still works after.
    held = [socket.create_connection(("127.0.0.1", slow_site.port)) for _ in range(5)]
    time.sleep(0.2)
    extra = socket.create_connection(("127.0.0.1", slow_site.port))
    extra.settimeout(3)
    extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        refused = extra.recv(100) == b""
    except OSError:
        refused = True
    assert refused
    for s in [*held, extra]:
        s.close()
    time.sleep(0.3)
    import urllib.request

    assert urllib.request.urlopen(slow_site.url("/healthz"), timeout=5).status == 200
