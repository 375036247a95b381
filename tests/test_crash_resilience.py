"""Crashes lose nothing: notes acknowledged before a SIGKILL are all there afterwards.

Several devices post at a steady rate while the server is killed at random moments
(3 kills in `make test`, 20 in `make soak`), the server running two workers. Afterwards every acknowledged note is
present, PRAGMA integrity_check passes and change seqs have no gap. A backup taken
under write load holds every note acknowledged before it started.
"""

import asyncio
import os
import random
import sqlite3

import aiohttp
import pytest

from .test_server_process import Server, organizer_site, quartier

# SIGKILLs a server over its SQLite file and checks the file (integrity_check, the backup copy).
pytestmark = pytest.mark.sqlite_only

KILLS = int(os.environ.get("QUARTIER_SOAK_KILLS", "3"))
DEVICES = 6


@pytest.fixture
def site(tmp_path):
    return tmp_path, organizer_site(tmp_path)


async def create_board(server, auth):
    async with aiohttp.ClientSession() as s:
        async with s.post(
            server.url("/api/v1/boards"), json={"title": "Forum", "moderation": "post"}, headers=auth
        ) as r:
            assert r.status == 201, await r.text()
            return (await r.json())["id"]


async def post_until_stopped(server, board, acknowledged: dict, stop: asyncio.Event, device: int):
    """One device posting a note every ~0.15 s; records what the server acknowledged."""
    n = 0
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as s:  # unsafe: keeps an IP's cookies
        try:
            async with s.get(server.url("/healthz")):  # a device keeps its cookie, like a browser
                pass
        except (aiohttp.ClientError, ConnectionError):
            return
        while not stop.is_set():
            text = f"device {device} note {n} {random.random()}"
            n += 1
            try:
                async with s.post(
                    server.url(f"/api/v1/boards/{board}/notes"),
                    json={"text": text},
                    timeout=aiohttp.ClientTimeout(total=3),
                ) as r:
                    if r.status == 201:
                        acknowledged[(await r.json())["id"]] = text
            except (TimeoutError, aiohttp.ClientError, ConnectionError):
                await asyncio.sleep(0.05)  # the server is down: not acknowledged, nothing to expect
            await asyncio.sleep(0.2)  # within the per-device limit for the first seconds


async def notes_on_server(server, board):
    async with aiohttp.ClientSession() as s:
        async with s.get(server.url(f"/api/v1/boards/{board}/notes")) as r:
            body = await r.json()
    notes = body["notes"] if isinstance(body, dict) else body
    return {n["id"]: n["text"] for n in notes}


async def wait_started(server):
    await asyncio.get_running_loop().run_in_executor(None, server.start)


@pytest.mark.soak
async def test_acknowledged_notes_survive_random_kills(site):
    folder, auth = site
    server = Server(folder, workers=2)
    await wait_started(server)
    board = await create_board(server, auth)
    acknowledged: dict[int, str] = {}
    for _kill in range(KILLS):
        stop = asyncio.Event()
        posters = [
            asyncio.create_task(post_until_stopped(server, board, acknowledged, stop, d)) for d in range(DEVICES)
        ]
        await asyncio.sleep(random.uniform(0.5, 1.5))
        server.kill()  # SIGKILL while requests are in flight
        stop.set()
        await asyncio.gather(*posters)
        await wait_started(server)
    try:
        present = await notes_on_server(server, board)
    finally:
        server.kill()
    print(f"{KILLS} kills, {len(acknowledged)} acknowledged notes, {len(present)} present")
    assert len(acknowledged) > KILLS * 5
    missing = {i: t for i, t in acknowledged.items() if present.get(i) != t}
    assert not missing, f"{len(missing)} acknowledged notes lost"
    db = sqlite3.connect(folder / "quartier.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    seqs = [r[0] for r in db.execute("SELECT seq FROM changes ORDER BY seq")]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), "change seqs have a gap"


async def test_backup_under_write_load_holds_what_was_acknowledged_before(site):
    folder, auth = site
    server = Server(folder)
    await wait_started(server)
    try:
        board = await create_board(server, auth)
        acknowledged: dict[int, str] = {}
        stop = asyncio.Event()
        posters = [
            asyncio.create_task(post_until_stopped(server, board, acknowledged, stop, d)) for d in range(DEVICES)
        ]
        await asyncio.sleep(1.0)
        before = dict(acknowledged)
        result = await asyncio.get_running_loop().run_in_executor(
            None, lambda: quartier("backup", "copy.db", cwd=folder)
        )
        await asyncio.sleep(0.5)
        stop.set()
        await asyncio.gather(*posters)
    finally:
        server.kill()
    assert result.returncode == 0, result.stderr
    copy = sqlite3.connect(folder / "copy.db")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    ids = {r[0] for r in copy.execute("SELECT id FROM forum_notes")}
    assert before and set(before) <= ids
