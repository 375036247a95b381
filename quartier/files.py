"""Files that hold everything: the database and its backups, created for their owner's eyes only."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


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
