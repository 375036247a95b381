"""The deployment on one host (issue 25, part 5): the systemd units pass `systemd-analyze verify`,
nginx accepts its config, the nightly backup keeps its copies, and a backup taken while the server
runs is restored with `quartier restore`: what was backed up is back, what came later is gone,
the replaced database is kept aside. A restore refuses a file that is not a whole Quartier
database, and a database a server has open, leaving the data as it was."""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from .test_server_process import ENV, Server, quartier

# The one-host deployment: SQLite's backup rotation and `quartier restore` of the file.
pytestmark = pytest.mark.sqlite_only

DEPLOY = Path(__file__).parent.parent / "deploy"
UNITS = ("quartier.service", "quartier-backup.service", "quartier-backup.timer")


@pytest.fixture
def site(tmp_path):
    assert quartier("init", ".", cwd=tmp_path).returncode == 0
    result = quartier(
        "user", "add", "orga", "--role", "organizer", "--password-stdin", cwd=tmp_path, stdin="correct horse battery\n"
    )
    assert result.returncode == 0, result.stderr
    token = quartier("token", "create", "orga", cwd=tmp_path).stdout.strip()
    return tmp_path, {"Authorization": f"Bearer {token}"}


# -- the files in deploy/


def test_the_units_pass_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is needed (Debian package systemd; .ci/run installs it)"
    # The units name the venv's entry point and the checkout's script: stand-ins here.
    stand_in = tmp_path / "bin"
    stand_in.mkdir()
    for name in ("quartier", "quartier-backup.sh"):
        (stand_in / name).write_text("#!/bin/sh\n")
        (stand_in / name).chmod(0o755)
    for unit in UNITS:
        text = (DEPLOY / unit).read_text()
        text = text.replace("/opt/quartier/venv/bin/", f"{stand_in}/").replace(
            "/opt/quartier/src/deploy/", f"{stand_in}/"
        )
        (tmp_path / unit).write_text(text)
    run = subprocess.run(
        [analyze, "verify", *(str(tmp_path / u) for u in UNITS)], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0 and not run.stderr.strip() and not run.stdout.strip(), run.stderr + run.stdout


def test_the_server_unit_runs_two_workers_hardened():
    text = (DEPLOY / "quartier.service").read_text()
    lines = {
        line.split("=", 1)[0]: line.split("=", 1)[1] for line in text.splitlines() if "=" in line and line[0] != "#"
    }
    assert lines["ExecStart"].endswith("quartier serve --config /etc/quartier/quartier.yaml --workers 2")
    assert lines["User"] == "quartier" and lines["Restart"] == "on-failure" and lines["KillSignal"] == "SIGTERM"
    assert lines["NoNewPrivileges"] == "true" and lines["ProtectSystem"] == "strict" and lines["PrivateTmp"] == "true"
    assert lines["ReadWritePaths"] == "/var/lib/quartier" and "TimeoutStopSec" in lines
    timer = (DEPLOY / "quartier-backup.timer").read_text()
    assert "OnCalendar=*-*-* 03:15:00" in timer and "Persistent=true" in timer


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=quartier.example.org"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def nginx_site(folder: Path, cert: Path, key: str | Path, http: int = 80, https: int = 443, upstream: int = 8080):
    """deploy/nginx.conf in a whole nginx configuration of its own (no root paths), on these ports."""
    text = (DEPLOY / "nginx.conf").read_text()
    text = text.replace("/etc/letsencrypt/live/quartier.example.org/fullchain.pem", str(cert))
    text = text.replace("/etc/letsencrypt/live/quartier.example.org/privkey.pem", str(key))
    text = text.replace("listen 80;", f"listen 127.0.0.1:{http};").replace("listen [::]:80;", "")
    text = text.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    text = text.replace("listen [::]:443 ssl http2;", "").replace("127.0.0.1:8080", f"127.0.0.1:{upstream}")
    (folder / "quartier.conf").write_text(text)
    temp = "".join(
        f"{name}_temp_path {folder}/{name};\n" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = folder / "nginx.conf"
    main.write_text(
        f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\n"
        f"http {{\naccess_log off;\n{temp}include {folder}/quartier.conf;\n}}\n"
    )
    return main


def test_nginx_accepts_the_config(tmp_path):
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    assert nginx, "nginx is needed (Debian package nginx; .ci/run installs it)"
    cert, key = self_signed(tmp_path)
    main = nginx_site(tmp_path, cert, key)
    run = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(main), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0 and "test is successful" in run.stderr, run.stderr


def test_the_nightly_backup_keeps_the_newest_copies(site):
    folder, _auth = site
    backups = folder / "backups"
    (backups).mkdir()
    (backups / "notes.txt").write_text("not a backup: never removed")
    env = {**ENV, "QUARTIER": "quartier-test", "CONFIG": str(folder / "quartier.yaml"), "BACKUP_DIR": str(backups)}
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "quartier-test"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m quartier "$@"\n')
    wrapper.chmod(0o755)
    env["PATH"] = f"{bin_dir}:{env['PATH']}"
    for stamp in ("20250101-031500", "20250102-031500", "20250103-031500"):
        run = subprocess.run(
            [str(DEPLOY / "quartier-backup.sh")],
            env={**env, "KEEP": "2", "STAMP": stamp},
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stderr
    names = sorted(p.name for p in backups.iterdir())
    assert names == ["notes.txt", "quartier-20250102-031500.db", "quartier-20250103-031500.db"]
    assert (backups / "quartier-20250103-031500.db").stat().st_mode & 0o777 == 0o600
    run = subprocess.run([str(DEPLOY / "quartier-backup.sh")], env={**env, "KEEP": "0"}, capture_output=True, text=True)
    assert run.returncode == 2 and len(list(backups.iterdir())) == 3


# -- backup and restore with a real server


async def post_note(session: aiohttp.ClientSession, server: Server, board: int, text: str) -> int:
    async with session.post(server.url(f"/api/v1/boards/{board}/notes"), json={"text": text}) as r:
        assert r.status == 201, await r.text()
        return (await r.json())["id"]


async def note_texts(server: Server, board: int) -> set[str]:
    async with aiohttp.ClientSession() as s:
        async with s.get(server.url(f"/api/v1/boards/{board}/notes")) as r:
            assert r.status == 200
            body = await r.json()
    notes = body["notes"] if isinstance(body, dict) else body
    return {n["text"] for n in notes}


async def check_restored(server: Server, board: int, old_seq: int) -> None:
    """What a restored server shows: the note of the copy only; a page open before the restore,
    resuming with a seq of the replaced database, is told to reset; and posting works again."""
    assert await note_texts(server, board) == {"Avant la copie : un atelier CAF le mardi"}
    async with aiohttp.ClientSession() as s:
        async with s.ws_connect(server.url(f"/ws?channels=board:{board}&since={old_seq}")) as ws:
            message = await ws.receive_json(timeout=5)
            assert message["type"] == "reset", message
        async with s.get(server.url("/healthz")):
            pass
        await post_note(s, server, board, "Après la restauration")
    assert len(await note_texts(server, board)) == 2


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_a_backup_taken_while_serving_is_restored(site):
    folder, auth = site
    server = Server(folder).start()
    try:
        async with aiohttp.ClientSession() as s:
            async with s.post(
                server.url("/api/v1/boards"), json={"title": "Maurepas", "moderation": "post"}, headers=auth
            ) as r:
                assert r.status == 201, await r.text()
                board = (await r.json())["id"]
            async with s.get(server.url("/healthz")):
                pass  # the resident's device cookie
            await post_note(s, server, board, "Avant la copie : un atelier CAF le mardi")
            backup = await asyncio.to_thread(quartier, "backup", "nightly.db", cwd=folder)
            assert backup.returncode == 0, backup.stderr
            await post_note(s, server, board, "Après la copie : plus de bancs devant l'ESC")

        # While the server has the database open, restore refuses and changes nothing.
        before = await note_texts(server, board)
        refused = await asyncio.to_thread(quartier, "restore", "nightly.db", cwd=folder)
        assert refused.returncode == 2 and refused.stderr.count("\n") == 1, refused.stderr
        assert "ouverte par un serveur" in refused.stderr and "Traceback" not in refused.stderr
        assert await note_texts(server, board) == before and len(before) == 2
        assert not list(folder.glob("quartier.db.before-restore-*"))
    finally:
        server.kill()  # kill -9: the later note sits in the -wal, as after a crash

    restored = quartier("restore", "nightly.db", cwd=folder)
    assert restored.returncode == 0, restored.stderr
    (kept,) = folder.glob("quartier.db.before-restore-*")
    assert str(kept) in restored.stdout
    assert kept.stat().st_mode & 0o777 == 0o600
    assert not (folder / "quartier.db-wal").exists() and not (folder / "quartier.db.restoring").exists()
    # The replaced database is whole on its own, the later note in it (folded in from its -wal).
    old = sqlite3.connect(f"file:{kept}?mode=ro&immutable=1", uri=True)
    assert old.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert {r[0] for r in old.execute("SELECT text FROM forum_notes")} == before
    old_seq = old.execute("SELECT seq FROM sqlite_sequence WHERE name = 'changes'").fetchone()[0]
    old.close()

    server = Server(folder).start()
    try:
        await check_restored(server, board, old_seq)
    finally:
        server.kill()


def test_restore_puts_a_database_where_there_was_none(site):
    folder, _auth = site
    assert quartier("backup", "copy.db", cwd=folder).returncode == 0
    (folder / "quartier.db").unlink()
    for side in ("-wal", "-shm"):
        (folder / f"quartier.db{side}").unlink(missing_ok=True)
    result = quartier("restore", "copy.db", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert not list(folder.glob("quartier.db.before-restore-*"))
    db = sqlite3.connect(folder / "quartier.db")
    assert db.execute("SELECT name FROM users").fetchall() == [("orga",)]


def test_restore_brings_an_older_backup_to_todays_migrations(site):
    """A backup from a version that had only the core's tables opens with today's code."""
    from sqlite_utils import Database

    from quartier.schema import core_migrations

    folder, _auth = site
    old = Database(folder / "old.db")
    core_migrations.apply(old)
    old.execute("INSERT INTO users (name, role, password_hash, created) VALUES ('ancien', 'organizer', 'x', 0)")
    old.conn.commit()
    old.close()
    result = quartier("restore", "old.db", cwd=folder)
    assert result.returncode == 0, result.stderr
    db = sqlite3.connect(folder / "quartier.db")
    assert db.execute("SELECT name FROM users").fetchall() == [("ancien",)]
    assert db.execute("SELECT count(*) FROM forum_notes").fetchone() == (0,)  # a table of a later migration


def not_sqlite(folder: Path) -> Path:
    (folder / "notes.txt").write_text("pas une base")
    return folder / "notes.txt"


def other_sqlite(folder: Path) -> Path:
    conn = sqlite3.connect(folder / "other.db")
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    return folder / "other.db"


def truncated(folder: Path) -> Path:
    (folder / "cut.db").write_bytes((folder / "good.db").read_bytes()[:8192])
    return folder / "cut.db"


def damaged(folder: Path, source: Path) -> Path:
    data = bytearray(source.read_bytes())
    data[4096 * 3 : 4096 * 12] = b"\xaa" * (4096 * 9)
    path = folder / "damaged.db"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    "make, says",
    [
        (not_sqlite, "n'est pas une base SQLite"),
        (lambda folder: folder / "absent.db", "impossible de lire"),
        (lambda folder: damaged(folder, folder / "good.db"), "est abîmée"),
        (other_sqlite, "n'est pas une base de Quartier"),
        (truncated, "est abîmée"),
    ],
    ids=["text", "missing", "damaged", "other-sqlite", "truncated"],
)
def test_restore_refuses_what_is_not_a_whole_quartier_database(site, make, says):
    folder, _auth = site
    assert quartier("backup", "good.db", cwd=folder).returncode == 0
    database = folder / "quartier.db"
    before = digest(database)
    result = quartier("restore", str(make(folder)), cwd=folder)
    assert result.returncode == 2 and says in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert digest(database) == before
    assert not list(folder.glob("quartier.db.before-restore-*")) and not (folder / "quartier.db.restoring").exists()


def test_restore_refuses_while_any_process_has_the_database_open(site):
    """Not only a server: an idle connection of any process (here a plain sqlite3 one) counts."""
    folder, _auth = site
    assert quartier("backup", "good.db", cwd=folder).returncode == 0
    holder = sqlite3.connect(folder / "quartier.db")
    holder.execute("SELECT count(*) FROM users").fetchone()
    try:
        result = quartier("restore", "good.db", cwd=folder)
        assert result.returncode == 2 and "arrêtez-le d'abord" in result.stderr
    finally:
        holder.close()
    assert quartier("restore", "good.db", cwd=folder).returncode == 0
