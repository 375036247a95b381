"""Files that hold everything: the database and its backups, created for their owner's eyes only."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from quartier.i18n import N_


def private_file(path: Path) -> None:
    """Create `path` readable by its owner only (0600), or make an existing file so. Anything else
    (a folder, a path that cannot be written) is left for SQLite to report in its own words."""
    try:
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        elif path.is_file():
            os.chmod(path, 0o600)
    except OSError:
        pass


def backup(source: Path, target: Path) -> int:
    """Copy a live database consistently (SQLite online backup) and check the copy.

    Returns the number of pages copied. The copy is written next to the target
    and renamed into place only once its integrity check passes.
    """
    tmp = target.with_name(target.name + ".partial")
    tmp.unlink(missing_ok=True)
    private_file(tmp)  # a copy of everything: for its owner's eyes only
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
            pages = dst.execute("PRAGMA page_count").fetchone()[0]
            check = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
    finally:
        src.close()
    if check != "ok":
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"backup failed its integrity check: {check}")
    tmp.replace(target)
    return pages


SQLITE_MAGIC = b"SQLite format 3\x00"


class RestoreError(Exception):
    """A restore that cannot be done; nothing was changed. The message is a French msgid with
    `{file}` / `{check}` placeholders (translated by the command that shows it)."""

    def __init__(self, message: str, **params: str):
        super().__init__(message)
        self.message = message
        self.params = params


def check_backup(path: Path, shown: Path) -> None:
    """Refuse anything but a whole Quartier SQLite database: the SQLite header, `PRAGMA
    integrity_check`, and the core's first migration recorded (so another SQLite file is not one).

    `path` is our own copy of the backup (`shown` names it in messages): it is opened read-write so
    that SQLite, closing it, removes the -wal and -shm a WAL-mode file gets, and the backup itself
    may sit in a read-only folder.
    """
    with open(path, "rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if head != SQLITE_MAGIC:
        raise RestoreError(N_("{file} n'est pas une base SQLite"), file=str(shown))
    try:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            check = "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check").fetchall())
            core = conn.execute(
                "SELECT 1 FROM _sqlite_migrations WHERE migration_set = 'quartier' AND name = '0001_core'"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        if "no such table" in str(e):
            raise RestoreError(N_("{file} n'est pas une base de Quartier"), file=str(shown)) from None
        raise RestoreError(N_("{file} est abîmée : {check}"), file=str(shown), check=str(e)) from None
    finally:
        for side in ("-wal", "-shm", "-journal"):
            path.with_name(path.name + side).unlink(missing_ok=True)
    if check != "ok":
        raise RestoreError(N_("{file} est abîmée : {check}"), file=str(shown), check=check[:200])
    if core is None:
        raise RestoreError(N_("{file} n'est pas une base de Quartier"), file=str(shown))


def lock_unused(path: Path) -> sqlite3.Connection:
    """Prove that no process has the database open, and keep it so: the returned connection holds
    SQLite's exclusive lock on the file, and the database is left whole in the main file.

    Every connection to a database in WAL mode (every `quartier serve` worker, a running `backup`)
    holds a shared lock on the database file for as long as it is open, idle or not: that is how
    SQLite itself tells the last connection, which may delete the -wal, from the others. So an
    exclusive lock taken without waiting (`locking_mode=EXCLUSIVE`, `BEGIN EXCLUSIVE`, busy
    timeout 0) fails exactly while another process uses the file, wherever its -wal stands. Then
    `journal_mode=DELETE` checkpoints whatever a killed server left in the -wal into the main file
    and removes the -wal, so the file kept aside is whole on its own and this connection, once
    closed, touches no -wal (it would otherwise delete a new server's). A process that only opens
    the file later waits on this lock (its busy timeout) and is not detected: stop the service
    first, as the procedure says.
    """
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("COMMIT")
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except sqlite3.OperationalError as e:
        conn.close()
        if "locked" in str(e) or "busy" in str(e):
            raise RestoreError(
                N_("la base {file} est ouverte par un serveur : arrêtez-le d'abord"), file=str(path)
            ) from None
        raise RestoreError(N_("{file} est abîmée : {check}"), file=str(path), check=str(e)) from None
    except sqlite3.DatabaseError as e:
        conn.close()
        raise RestoreError(N_("{file} est abîmée : {check}"), file=str(path), check=str(e)) from None
    if mode != "delete":
        conn.close()
        raise RestoreError(N_("la base {file} est ouverte par un serveur : arrêtez-le d'abord"), file=str(path))
    return conn


# How far a restore moves the change log's seq past the newest one known: further than any
# client of a host that is gone (whose database is not here to read) can have seen since the backup.
SEQ_JUMP = 1_000_000


def last_seq(conn: sqlite3.Connection) -> int:
    try:
        row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'changes'").fetchone()
    except sqlite3.OperationalError:  # no AUTOINCREMENT table yet
        return 0
    return int(row[0]) if row else 0


def forget_history(path: Path, after: int) -> None:
    """Clear the change log of the database at `path` and move its seq past `after` + SEQ_JUMP.

    A page or screen open before a restore holds a `since` from the database that was replaced;
    resuming from it would skip or misread changes, since the restored database reuses those
    numbers. With the history empty and the seq moved on, the bus answers every such `since` with
    a reset, and the page reloads.
    """
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        seq = max(after, last_seq(conn)) + SEQ_JUMP
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM changes")
        conn.execute("DELETE FROM sqlite_sequence WHERE name = 'changes'")
        conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('changes', ?)", (seq,))
        conn.execute("COMMIT")
    finally:
        conn.close()
    for side in ("-wal", "-shm", "-journal"):
        path.with_name(path.name + side).unlink(missing_ok=True)
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unused(path: Path) -> Path:
    """`path`, or `path-2`, `path-3`…: two restores in one second keep both earlier databases."""
    n, candidate = 1, path
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


def restore(source: Path, target: Path, stamp: str) -> Path | None:
    """Put the backup `source` in place of the database `target`, atomically.

    The backup is copied to a temporary file in the target's folder and fsynced, and that copy is
    what is checked, so what is checked is what goes in place. Then the target is locked (no
    process may have it open, see `lock_unused`), kept as `<target>.before-restore-<stamp>` (a
    hard link, or a copy where links are refused; returned, None when there was no database) and
    the copy renamed over it: at every moment the target is the old database or the whole new
    one. Stale -wal and -shm go first. The copy's change log is cleared first (`forget_history`),
    so clients open before reload. Migrations are the caller's (they need the packages' sets).
    """
    tmp = target.with_name(target.name + ".restoring")
    kept: Path | None = None
    replaced = False
    lock: sqlite3.Connection | None = None
    try:
        tmp.unlink(missing_ok=True)
        private_file(tmp)  # a copy of everything: for its owner's eyes only
        try:
            src = open(source, "rb")
        except OSError:
            raise RestoreError(N_("impossible de lire {file}"), file=str(source)) from None
        try:
            with src, open(tmp, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
                dst.flush()
                os.fsync(dst.fileno())
        except OSError as e:
            raise RestoreError(
                N_("impossible d'écrire {file} : {check}"), file=str(tmp), check=e.strerror or ""
            ) from None
        check_backup(tmp, source)
        seen = 0
        if target.exists():
            lock = lock_unused(target)
            seen = last_seq(lock)
            kept = _unused(target.with_name(f"{target.name}.before-restore-{stamp}"))
            try:
                os.link(target, kept)
            except OSError:
                private_file(kept)
                shutil.copyfile(target, kept)
        forget_history(tmp, seen)
        for side in ("-wal", "-shm", "-journal"):
            target.with_name(target.name + side).unlink(missing_ok=True)
        os.replace(tmp, target)
        replaced = True
        _fsync_dir(target.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        if kept is not None and not replaced:
            kept.unlink(missing_ok=True)  # the database is untouched: no second copy of it
        raise
    finally:
        if lock is not None:
            lock.close()
    return kept
