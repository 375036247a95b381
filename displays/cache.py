"""The agent's only writable place: the token, the last snapshot and its images, the screen page.

Every file is written atomically (temporary file, fsync, rename, fsync of the folder),
so a power cut leaves either the old or the new version, never half of one. Files are
written only when their content changes, to spare the SD card. With a read-only root,
this folder is the one thing that must stay writable.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

ASSET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
ASSET_PREFIX = "/screens/assets/"
PAGE_FILE = re.compile(r"^/static/[a-z]+/[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
CONTACT_WRITE_EVERY = 300.0  # the last contact with the server is kept on disk to within 5 minutes


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write `data` to `path` so that a crash at any point leaves the old or the new file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)  # the umask must not widen or narrow it
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def asset_names(snapshot: dict[str, Any]) -> list[str]:
    """The images a snapshot refers to (announcement images), by their file name."""
    names = []
    for a in snapshot.get("announcements") or []:
        image = a.get("image") or ""
        if image.startswith(ASSET_PREFIX) and ASSET_NAME.match(image[len(ASSET_PREFIX) :]):
            names.append(image[len(ASSET_PREFIX) :])
    return names


class Cache:
    """token.json (mode 0600), snapshot.json {etag, received, snapshot}, assets/<name>,
    page.json {etag, html, slot, files} with page/<name>, and contact.json {synced}."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.assets = folder / "assets"
        self.page_files = folder / "page"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.assets.mkdir(exist_ok=True)
        self.page_files.mkdir(exist_ok=True)
        self._contact_written = 0.0
        os.chmod(self.folder, 0o700)

    # -- the display token

    @property
    def token_file(self) -> Path:
        return self.folder / "token.json"

    def load_token(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.token_file.read_text())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("token") and data.get("id") else None

    def save_token(self, data: dict[str, Any]) -> None:
        write_atomic(self.token_file, json.dumps(data).encode(), mode=0o600)

    def forget_token(self) -> None:
        self.token_file.unlink(missing_ok=True)

    # -- the snapshot

    @property
    def snapshot_file(self) -> Path:
        return self.folder / "snapshot.json"

    def load_snapshot(self) -> dict[str, Any] | None:
        """{"etag", "received", "snapshot"}, or None when there is none (or it is unreadable)."""
        try:
            data = json.loads(self.snapshot_file.read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("snapshot"), dict):
            return None
        return data

    def save_snapshot(self, snapshot: dict[str, Any], etag: str, received: float | None = None) -> dict[str, Any]:
        record = {"etag": etag, "received": received or time.time(), "snapshot": snapshot}
        write_atomic(self.snapshot_file, json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode())
        return record

    # -- images

    def asset_path(self, name: str) -> Path | None:
        if not ASSET_NAME.match(name):
            return None
        return self.assets / name

    def has_asset(self, name: str) -> bool:
        path = self.asset_path(name)
        return path is not None and path.is_file()

    def save_asset(self, name: str, data: bytes) -> None:
        path = self.asset_path(name)
        if path is not None:
            write_atomic(path, data)

    def prune_assets(self, keep: list[str]) -> None:
        """Remove the images no snapshot refers to any more."""
        wanted = set(keep)
        for path in self.assets.iterdir():
            if path.name not in wanted:
                path.unlink(missing_ok=True)

    # -- the screen page (from the server: GET /api/v1/displays/{id}/page)

    @property
    def page_file(self) -> Path:
        return self.folder / "page.json"

    def load_page(self) -> dict[str, Any] | None:
        """{"etag", "html", "slot", "files": [path…]}, when the page and every file it loads are here."""
        try:
            data = json.loads(self.page_file.read_bytes())
        except (OSError, ValueError):
            return None
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("html"), str)
            or not isinstance(data.get("files"), list)
        ):
            return None
        paths = [self.page_path(p) if isinstance(p, str) else None for p in data["files"]]
        if not all(p is not None and p.is_file() for p in paths):
            return None
        return data

    def page_path(self, path: str) -> Path | None:
        """Where a file of the page (/static/<package>/<name>) is kept; None for any other path."""
        if not PAGE_FILE.match(path):
            return None
        return self.page_files / path.rsplit("/", 1)[1]

    def save_page(self, page: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        """The files first, then page.json: a stored page never points at a missing file."""
        for path, data in files.items():
            target = self.page_path(path)
            if target is not None:
                write_atomic(target, data)
        write_atomic(self.page_file, json.dumps(page, ensure_ascii=False).encode())
        keep = {target.name for p in page["files"] if (target := self.page_path(p))}
        for old in self.page_files.iterdir():
            if old.name not in keep:
                old.unlink(missing_ok=True)
        return page

    # -- the last contact with the server (what "mis à jour à HH:MM" shows after a restart)

    def load_contact(self) -> float | None:
        try:
            synced = json.loads((self.folder / "contact.json").read_text()).get("synced")
        except (OSError, ValueError, AttributeError):
            return None
        return float(synced) if isinstance(synced, (int, float)) else None

    def save_contact(self, synced: float, force: bool = False) -> None:
        """Keep the time of the last contact, at most every 5 minutes (an SD card tires of writes)."""
        if force or synced - self._contact_written >= CONTACT_WRITE_EVERY:
            write_atomic(self.folder / "contact.json", json.dumps({"synced": synced}).encode())
            self._contact_written = synced
