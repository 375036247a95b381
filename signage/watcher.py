"""Tells screens when their snapshot went stale, for changes other features make.

Other features do not know about screens: `events` records its changes on
`programme` and `site:{slug}`, `forum` on `board:{id}`. Rather than make them
call into signage, this background task listens to every commit
(`Database.on_commit`, the same hook the bus uses) and, for each relevant change,
records a `snapshot.stale` change on `display:{id}` for every affected screen:

- `programme` or `site:*`: every screen (another site's change can alter the
  "elsewhere in the city" highlights, and screens are few);
- `board:{id}`: the screens at that board's site (found through forum.queries).

Changes arriving within COALESCE seconds are grouped into one write, so a burst
of forum notes costs one change per screen, and screens hear within a second.
It also marks every screen stale at start-up and at each local midnight, when
"today" moves on. Signage's own writes (announcements, pairing, moves) record
their `display:{id}` changes themselves, in the same transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from forum import queries as forums
from quartier.db import Change
from quartier.typedefs import DB, SETTINGS
from signage import store

log = logging.getLogger(__name__)

COALESCE = 0.15


class Watcher:
    def __init__(self, app: web.Application):
        self.app = app
        self.everything = False
        self.boards: set[int] = set()
        self.wake = asyncio.Event()
        self.running = True
        self.flushing = False

    def on_commit(self, changes: list[Change]) -> None:
        """Runs on the event loop after each commit: note what went stale, wake the task."""
        if not self.running:
            return
        for change in changes:
            channel = change.channel
            if channel == "programme" or channel.startswith("site:"):
                self.everything = True
            elif channel.startswith("board:"):
                board = channel.partition(":")[2]
                if board.isdigit():
                    self.boards.add(int(board))
            else:
                continue
            self.wake.set()

    async def run(self) -> None:
        tz = self.app[SETTINGS].tz
        self.everything = True  # a restart may have missed a midnight
        self.wake.set()
        while True:
            now = dt.datetime.now(tz)
            midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), tz)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=max(1.0, (midnight - now).total_seconds() + 1))
            if not self.wake.is_set():
                self.everything = True  # the date changed
            await asyncio.sleep(COALESCE)
            self.wake.clear()
            everything, boards = self.everything, self.boards
            self.everything, self.boards = False, set()
            self.flushing = True
            try:
                await self.flush(everything, boards)
            except Exception:  # a failed round must not stop the next ones
                log.exception("marking screens stale failed")
            finally:
                self.flushing = False

    async def settled(self) -> None:
        """Wait until every change seen so far has been passed on to the screens (for tests)."""
        while self.wake.is_set() or self.flushing:
            await asyncio.sleep(0.02)

    async def flush(self, everything: bool, boards: set[int]) -> None:
        db = self.app[DB]
        sites: set[str] = set()
        if not everything and boards:

            def board_sites(conn) -> set[str]:
                found = (forums.board(conn, b) for b in boards)
                return {b["site"] for b in found if b and b.get("site")}

            sites = await db.read(board_sites)
            if not sites:
                return
        elif not everything:
            return

        def write(tx) -> list[int]:
            return store.bump_many(
                tx, store.displays_at(tx, None if everything else sites), "programme" if everything else "board"
            )

        await db.write(write)


WATCHER = web.AppKey("signage_watcher", Watcher)


async def context(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: start the watcher with the app, stop it (and stop listening) on shutdown."""
    watcher = Watcher(app)
    app[WATCHER] = watcher
    app[DB].on_commit(watcher.on_commit)
    task = asyncio.create_task(watcher.run())
    try:
        yield
    finally:
        watcher.running = False
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
