"""Several server processes over one database (`serve --workers N`) behave as one server.

First, two apps in this test process over the same database, as two workers would be
(their buses nudge each other through the wake sockets; the poll is set to a minute so
only a nudge can explain a delivery). Then the real thing: `quartier serve --workers 2`,
phones posting on both workers and followers on both, one worker killed mid-posting.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sqlite3
import time
from pathlib import Path

import aiohttp
import pytest
from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient, TestServer

from forum import changes as forum_changes
from quartier import bus as bus_module
from quartier.app import create_app
from quartier.typedefs import BUS, DB, SETTINGS

from .conftest import form
from .forum.conftest import make_board
from .test_bus import receive
from .test_crash_resilience import create_board
from .test_server_process import Server, organizer_site

# Two apps or a real `serve --workers 2` over one SQLite file: its nudge sockets, its lock file,
# sqlite3 beside the server. On PostgreSQL the same is tests/test_postgres_hosts.py.
pytestmark = pytest.mark.sqlite_only


@pytest.fixture
async def other(settings, server, monkeypatch):
    """A second worker: another app over the same database file."""
    monkeypatch.setattr(bus_module, "POLL", 60.0)
    second = TestServer(create_app(settings))
    await second.start_server()
    client = TestClient(second)
    await client.start_server()
    yield client
    await client.close()
    await second.close()


@pytest.fixture
async def first(server, monkeypatch):
    """A client of the first worker (its app was started before the poll was slowed: restart its poller)."""
    monkeypatch.setattr(bus_module, "POLL", 60.0)
    await server.app[BUS].stop()
    await server.app[BUS].start()
    client = TestClient(server)
    await client.start_server()
    yield client
    await client.close()


async def test_a_change_committed_by_one_worker_reaches_a_subscriber_of_the_other_at_once(first, other):
    ws = await other.ws_connect("/ws?channels=board:1")
    await asyncio.sleep(0.05)
    started = time.monotonic()
    await first.server.app[DB].write(lambda tx: tx.change("board:1", "note.posted", {"text": "Du wifi"}))
    [message] = await receive(ws, 1, timeout=2.0)
    assert message["data"] == {"text": "Du wifi"} and message["seq"] == first.server.app[BUS].last_seq
    assert time.monotonic() - started < 1.0  # a nudge, not the minute's poll
    assert first.server.app[BUS].wake.sent >= 1 and other.server.app[BUS].followed >= 1
    await ws.close()


async def test_a_change_written_beside_the_server_arrives_at_the_next_poll(settings, server, client, monkeypatch):
    monkeypatch.setattr(bus_module, "POLL", 0.2)
    await server.app[BUS].stop()
    await server.app[BUS].start()
    ws = await client.ws_connect("/ws?channels=board:2")
    await asyncio.sleep(0.05)
    with sqlite3.connect(settings.database_path) as conn:  # a command run beside the server: no nudge
        conn.execute(
            "INSERT INTO changes (channel, type, data, created) VALUES ('board:2', 'note.posted', '{}', ?)",
            (time.time(),),
        )
    [message] = await receive(ws, 1, timeout=3.0)
    assert message["channel"] == "board:2"
    await ws.close()


async def test_interleaved_commits_of_two_workers_reach_both_in_order_without_gap_or_duplicate(first, other):
    sockets = [await c.ws_connect("/ws?channels=board:3") for c in (first, other) for _ in range(3)]
    await asyncio.sleep(0.05)

    async def writer(app, k):
        for i in range(60):
            await app[DB].write(lambda tx, i=i: tx.change("board:3", "note.posted", {"by": k, "i": i}))
            if i % 7 == 0:
                await asyncio.sleep(0)

    await asyncio.gather(writer(first.server.app, "a"), writer(other.server.app, "b"))
    for ws in sockets:
        messages = await receive(ws, 120)
        assert [m["seq"] for m in messages] == list(range(1, 121))
        assert sorted((m["data"]["by"], m["data"]["i"]) for m in messages) == sorted(
            (k, i) for k in "ab" for i in range(60)
        )
        await ws.close()


async def test_a_phone_has_one_rate_limit_whichever_worker_answers(server, first, other):
    board = await make_board(server.app, "post")
    await first.get("/healthz")  # the phone's cookie, shown to both workers
    other.session.cookie_jar.update_cookies({c.key: c.value for c in first.session.cookie_jar})
    burst = server.app[SETTINGS].forum_notes_per_minute
    statuses = []
    for n in range(burst + 4):
        client = (first, other)[n % 2]
        response = await client.post(f"/api/v1/boards/{board['id']}/notes", json={"text": f"note {n}"})
        statuses.append(response.status)
    assert statuses.count(201) == burst and statuses[burst:] == [429] * 4


async def test_a_page_cached_by_one_worker_is_forgotten_when_the_other_changes_its_data(server, first, other):
    board = await make_board(server.app, "post")
    wall = f"/forum/boards/{board['id']}/wall"
    assert "Un jardin partagé" not in await (await other.get(wall)).text()
    response = await first.post(f"/api/v1/boards/{board['id']}/notes", json={"text": "Un jardin partagé"})
    assert response.status == 201
    await asyncio.sleep(0.2)  # the nudge, then the other worker's read of the log
    assert "Un jardin partagé" in await (await other.get(wall)).text()  # not the cached page (kept 2 s)


async def test_a_new_facilitator_link_closes_the_consoles_the_old_one_opened_on_every_worker(
    server, first, other, organizer
):
    board = await make_board(server.app, "pre")
    channel = forum_changes.moderation_channel(board["id"])
    # The close frame as it came (autoclose off): the server drops the connection right after
    # it, so the client's automatic reply may fail and overwrite close_code with 1006.
    console = await other.ws_connect(f"/ws?channels={channel}&key={board['key']}", autoclose=False)
    await asyncio.sleep(0.05)
    response = await form(organizer, f"/forum/boards/{board['id']}/link", {}, allow_redirects=False)
    assert response.status == 303
    msg = await asyncio.wait_for(console.receive(), 2.0)
    assert (msg.type, msg.data) == (WSMsgType.CLOSE, 1008)  # policy violation: access revoked


async def test_nobody_may_follow_the_revocations_channel(client):
    response = await client.get("/ws?channels=sockets", headers={"Upgrade": "websocket", "Connection": "Upgrade"})
    assert response.status == 403


# -- the real `serve --workers 2`

ACCESS_LINE = re.compile(r"\[(\d+)\] aiohttp\.access: \S+ \"(\w+) (\S+)\" (\d+)")


@pytest.fixture
def site(tmp_path):
    # Room for 40 notes a phone and 300 a board: the limits are not what is tested here.
    limits = "forum_notes_per_minute: 60\nforum_notes_per_minute_board: 2000\nforum_notes_per_minute_address: 4000\n"
    return tmp_path, organizer_site(tmp_path, limits)


def phone() -> aiohttp.ClientSession:
    """A phone: its own cookie (unsafe: kept for an IP address), a new connection per request, so
    the kernel spreads its requests over both workers."""
    return aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True), connector=aiohttp.TCPConnector(force_close=True)
    )


class Follower:
    """A wall on one connection: every seq it got, resuming from the last one when cut off."""

    def __init__(self, server, board):
        self.url = server.url(f"/ws?channels=board:{board}").replace("http", "ws", 1)
        self.seqs: list[int] = []
        self.connected = asyncio.Event()
        self.reconnects = 0

    async def run(self, stop: asyncio.Event) -> None:
        async with phone() as s:
            while not stop.is_set():
                since = f"&since={self.seqs[-1]}" if self.seqs else "&since=0"
                try:
                    async with s.ws_connect(self.url + since, heartbeat=5) as ws:
                        self.connected.set()
                        while not stop.is_set():
                            try:
                                msg = await ws.receive(timeout=0.2)
                            except TimeoutError:
                                continue
                            if msg.type != WSMsgType.TEXT:
                                break
                            data = json.loads(msg.data)
                            if data["type"] != "pong":
                                self.seqs.append(data["seq"])
                except (aiohttp.ClientError, ConnectionError):
                    pass
                if not stop.is_set():
                    self.reconnects += 1
                    await asyncio.sleep(0.1)


async def post_notes(server, board, count, acknowledged, device):
    async with phone() as s:
        async with s.get(server.url("/healthz")):
            pass
        for n in range(count):
            text = f"phone {device} note {n}"
            for _attempt in range(50):  # a phone retries what was not acknowledged
                try:
                    async with s.post(
                        server.url(f"/api/v1/boards/{board}/notes"),
                        json={"text": text},
                        timeout=aiohttp.ClientTimeout(total=5),
                    ) as r:
                        if r.status == 201:
                            acknowledged[(await r.json())["id"]] = text
                            break
                        assert r.status in (502, 503), await r.text()
                except (TimeoutError, aiohttp.ClientError, ConnectionError):
                    pass
                await asyncio.sleep(0.05)


async def post_through(server, board, fault, seqs, *, walls: int = 12, timeout: float = 15.0):
    """Three phones post 40 notes each with `walls` followers on the board; `fault()` strikes once
    20 are acknowledged. Returns what was acknowledged, the board's seqs (`seqs()`) once the posting
    is done, and the followers, each having received at least as many."""
    stop = asyncio.Event()
    followers, running = await follow(server, board, walls, stop)
    acknowledged: dict[int, str] = {}
    posting = asyncio.gather(*(post_notes(server, board, 40, acknowledged, d) for d in range(3)))
    await until(lambda: len(acknowledged) >= 20)
    await fault()
    await posting
    expected = seqs()
    await until(lambda: all(len(f.seqs) >= len(expected) for f in followers), timeout)
    stop.set()
    await asyncio.gather(*running)
    return acknowledged, expected, followers


def seqs_in(folder, board):
    with sqlite3.connect(folder / "quartier.db") as db:
        return [r[0] for r in db.execute("SELECT seq FROM changes WHERE channel = ? ORDER BY seq", (f"board:{board}",))]


def children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


async def until(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def started(server, log):
    await asyncio.get_running_loop().run_in_executor(None, lambda: server.start(log=log))


async def follow(server, board, count, stop):
    """`count` walls following the board, each connected once before anything is posted."""
    followers = [Follower(server, board) for _ in range(count)]
    running = [asyncio.create_task(f.run(stop)) for f in followers]
    await asyncio.wait_for(asyncio.gather(*(f.connected.wait() for f in followers)), 10)
    return followers, running


async def test_two_workers_deliver_every_change_of_both_to_every_follower_once_and_in_order(site):
    folder, auth = site
    server = Server(folder, workers=2)
    with open(folder / "server.log", "w") as log:
        await started(server, log)
        try:
            board = await create_board(server, auth)
            stop = asyncio.Event()
            followers, running = await follow(server, board, 24, stop)
            acknowledged: dict[int, str] = {}
            await asyncio.gather(*(post_notes(server, board, 40, acknowledged, d) for d in range(3)))
            expected = seqs_in(folder, board)
            assert len(acknowledged) == 120 and len(expected) >= 120  # the notes, and the board's own
            await until(lambda: all(len(f.seqs) >= len(expected) for f in followers))
            stop.set()
            await asyncio.gather(*running)
            await until(lambda: (folder / "server.log").read_text().count('"GET /ws"') >= 24)  # logged at the close
        finally:
            server.kill()
    for follower in followers:
        assert follower.seqs == expected  # every change, once, in seq order
    lines = ACCESS_LINE.findall((folder / "server.log").read_text())
    posted_by = {pid for pid, method, path, status in lines if method == "POST" and status == "201"}
    followed_on = {pid for pid, method, path, status in lines if path == "/ws"}
    assert len(posted_by) == 2, "the notes were all posted on one worker"
    assert len(followed_on) == 2, "the followers all connected to one worker"


async def test_a_killed_worker_loses_no_acknowledged_note_and_its_followers_resume_on_the_other(site):
    folder, auth = site
    server = Server(folder, workers=2)
    with open(folder / "server.log", "w") as log:
        await started(server, log)
        try:
            board = await create_board(server, auth)
            workers = children(server.proc.pid)
            assert len(workers) == 2

            async def kill_one() -> None:
                os.kill(workers[0], signal.SIGKILL)  # mid-posting, with followers on it

            acknowledged, expected, followers = await post_through(
                server, board, kill_one, lambda: seqs_in(folder, board)
            )
            restarted = children(server.proc.pid)
            async with aiohttp.ClientSession() as s:
                async with s.get(server.url(f"/api/v1/boards/{board}/notes?limit=500")) as r:
                    present = {n["id"]: n["text"] for n in (await r.json())["notes"]}
        finally:
            server.kill()
    assert len(acknowledged) == 120
    assert {i: present.get(i) for i in acknowledged} == acknowledged  # no acknowledged note lost
    for follower in followers:
        assert follower.seqs == expected  # resumed from its last seq: no gap, no duplicate
    assert sum(f.reconnects for f in followers) >= 1  # some were on the killed worker
    assert len(restarted) == 2 and workers[0] not in restarted  # the parent started another
    assert "SIGKILL" in (folder / "server.log").read_text()


async def test_a_write_locked_out_by_another_process_gets_a_503_and_the_retry_saves_it(settings, monkeypatch):
    from quartier import sqlite as sqlite_store

    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT", 0.3)
    app = create_app(settings)
    async with TestClient(TestServer(app)) as phone:
        board = await make_board(app, "post")
        url = f"/api/v1/boards/{board['id']}/notes"
        holder = sqlite3.connect(settings.database_path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # another process holds the database (a long maintenance)
        try:
            post = phone.post(url, json={"text": "Un atelier vélo"}, headers={"Accept-Language": "fr"})
            refused = await asyncio.wait_for(post, 10)  # the writer must answer, not wait forever
            body = await refused.json()
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert refused.status == 503 and refused.headers["Retry-After"] == "2"
        assert body["error"]["code"] == "busy" and "réessayez" in body["error"]["message"]
        assert (await (await phone.get(url)).json())["notes"] == []  # nothing half-saved
        retried = await phone.post(url, json={"text": "Un atelier vélo"})
        assert retried.status == 201
        assert [n["text"] for n in (await (await phone.get(url)).json())["notes"]] == ["Un atelier vélo"]
