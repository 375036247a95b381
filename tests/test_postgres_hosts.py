"""Several hosts on one PostgreSQL database, as docs/deploy.md sets them up.

Two `quartier serve` on two ports (two hosts, as far as they can tell: nothing shared but the
database URL and the secret key) serve one forum; a wall following either sees every note
posted on both, once and in order. PostgreSQL restarted in the middle of the posting loses
no acknowledged note: the phones get a 503 and post again.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path

from .test_crash_resilience import create_board
from .test_server_process import PASSWORD, Server, quartier
from .test_workers import ACCESS_LINE, follow, post_notes, post_through, started, until

LIMITS = "forum_notes_per_minute: 60\nforum_notes_per_minute_board: 2000\nforum_notes_per_minute_address: 4000\n"


def host(folder: Path, url: str) -> None:
    """A host's folder: `init`, then the database line pointed at PostgreSQL (and room to post)."""
    folder.mkdir(exist_ok=True)
    assert quartier("init", ".", cwd=folder).returncode == 0
    config = folder / "quartier.yaml"
    text = re.sub(r"(?m)^database: .*$", f"database: {url}", config.read_text())
    config.write_text(text + "\n" + LIMITS)


def organizer(folder: Path) -> dict[str, str]:
    added = quartier(
        "user", "add", "orga", "--role", "organizer", "--password-stdin", cwd=folder, stdin=PASSWORD + "\n"
    )
    assert added.returncode == 0, added.stderr
    return {"Authorization": f"Bearer {quartier('token', 'create', 'orga', cwd=folder).stdout.strip()}"}


def board_seqs(postgres, name: str, board: int) -> list[int]:
    with postgres.connect(name) as conn:
        rows = conn.execute("SELECT seq FROM changes WHERE channel = %s ORDER BY seq", (f"board:{board}",))
        return [r[0] for r in rows]


def note_ids(postgres, name: str) -> set[int]:
    with postgres.connect(name) as conn:
        return {r[0] for r in conn.execute("SELECT id FROM forum_notes")}


async def test_a_wall_on_one_host_sees_every_note_posted_on_both_once_and_in_order(tmp_path, postgres):
    name = postgres.create_database()
    host(tmp_path / "a", postgres.url(name))
    auth = organizer(tmp_path / "a")
    (tmp_path / "b").mkdir()
    shutil.copy(tmp_path / "a" / "quartier.yaml", tmp_path / "b")  # the same database and secret key
    a, b = Server(tmp_path / "a"), Server(tmp_path / "b")
    with open(tmp_path / "a.log", "w") as log_a, open(tmp_path / "b.log", "w") as log_b:
        await started(a, log_a)
        await started(b, log_b)
        try:
            board = await create_board(a, auth)
            stop = asyncio.Event()
            on_a, running_a = await follow(a, board, 6, stop)
            on_b, running_b = await follow(b, board, 6, stop)
            acknowledged: dict[int, str] = {}
            await asyncio.gather(
                *(post_notes(server, board, 30, acknowledged, d) for d, server in enumerate([a, b, a, b]))
            )
            expected = board_seqs(postgres, name, board)
            assert len(acknowledged) == 120 and len(expected) >= 120
            await until(lambda: all(len(f.seqs) >= len(expected) for f in on_a + on_b))
            stop.set()
            await asyncio.gather(*running_a, *running_b)
        finally:
            a.kill()
            b.kill()
    for follower in on_a + on_b:
        assert follower.seqs == expected  # every change of both hosts, once, in seq order
    for server_log in ("a.log", "b.log"):  # each host took its share of the posting
        statuses = [
            s for _pid, method, _path, s in ACCESS_LINE.findall((tmp_path / server_log).read_text()) if method == "POST"
        ]
        assert statuses.count("201") >= 60
    assert set(acknowledged) <= note_ids(postgres, name)


async def test_postgresql_restarted_during_posting_loses_no_acknowledged_note(tmp_path, postgres):
    name = postgres.create_database()
    host(tmp_path, postgres.url(name))
    auth = organizer(tmp_path)
    server = Server(tmp_path, workers=2)
    with open(tmp_path / "server.log", "w") as log:
        await started(server, log)
        try:
            board = await create_board(server, auth)

            async def restart() -> None:
                await asyncio.get_running_loop().run_in_executor(None, postgres.restart)

            acknowledged, expected, followers = await post_through(
                server, board, restart, lambda: board_seqs(postgres, name, board), walls=6, timeout=30
            )
        finally:
            server.kill()
    assert len(acknowledged) == 120  # every phone got all its notes through, retrying
    assert set(acknowledged) <= note_ids(postgres, name)  # and none acknowledged was lost
    for follower in followers:
        assert follower.seqs == expected
    statuses = [s for _pid, _method, _path, s in ACCESS_LINE.findall((tmp_path / "server.log").read_text())]
    assert "503" in statuses, "the restart went unnoticed: nothing was tested"
    assert not [s for s in statuses if s.startswith("5") and s != "503"]  # a clear 503, never a 500
