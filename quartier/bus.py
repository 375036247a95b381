"""The change bus: committed changes fanned out to subscribers, in seq order, with replay.

A subscriber registers *before* it reads the history it missed, so a change
committed meanwhile is either in the history or in its queue (or both, and
then dropped by seq): no gap, no duplicate. Each subscriber has a bounded
queue; one that falls behind is marked overflowed and disconnected by its
handler, never slowing the others, and resumes from its last seq later.

The `changes` table is the log, and every server process follows it: what this
process commits is handed over at once when it comes next in seq order; what another
process (`serve --workers N`, a command beside the server) commits is read from the
table when that process nudges us (`quartier.wake`), or at the next poll if a nudge
is lost. seq is assigned in commit order (one writer at a time, BEGIN IMMEDIATE), so
reading after the last seq delivered always finds the next changes, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable

import sqlite_utils

from quartier.db import Change, Database, dialect_of
from quartier.wake import ListenWake, Wake

log = logging.getLogger(__name__)

QUEUE_SIZE = 500
REPLAY_PAGE = 500
# Seconds between two reads of the log when no nudge came (a lost nudge, a command's write).
POLL = 1.0


class Subscriber:
    """One client's view of the bus: the channels it follows and its bounded queue.

    Once it is live (its history sent), its handler may set `write`: a change then goes
    straight to the socket while nothing waits in the queue, with no task switch per
    subscriber (`write` returns False when the socket is backed up: the change queues).
    """

    def __init__(self, channels: frozenset[str], size: int = QUEUE_SIZE):
        self.channels = channels
        self.queue: asyncio.Queue[Change] = asyncio.Queue(maxsize=size)
        self.overflowed = asyncio.Event()
        self.write: Callable[[Change], bool] | None = None
        self.last = 0  # the newest seq handed to the client

    def offer(self, change: Change) -> None:
        if self.overflowed.is_set():
            return
        if self.write is not None and self.queue.empty() and self.write(change):
            return
        try:
            self.queue.put_nowait(change)
        except asyncio.QueueFull:
            self.overflowed.set()


class Bus:
    def __init__(self, db: Database, *, queue_size: int = QUEUE_SIZE, wake: Wake | ListenWake | None = None):
        self.db = db
        self.queue_size = queue_size
        self.wake = wake  # None: no other process to nudge or be nudged by (the poll still reads the log)
        self.last_seq = 0
        self.followed = 0  # reads of the log that found changes (a test counts them)
        self._by_channel: dict[str, set[Subscriber]] = defaultdict(set)
        self._watchers: list[Callable[[list[Change]], None]] = []
        self._reader: asyncio.Task | None = None
        self._read_again = False
        self._poller: asyncio.Task | None = None
        db.on_commit(self.publish)

    async def start(self) -> None:
        self.last_seq = await self.db.read(last_seq_in)
        if self.wake is not None:
            self.wake.open(self.follow)
        self._poller = asyncio.create_task(self._poll_forever(POLL))

    async def stop(self) -> None:
        for task in (self._poller, self._reader):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.wake is not None:
            self.wake.close()

    def on_publish(self, watcher: Callable[[list[Change]], None]) -> None:
        """Call watcher(changes) with every batch of new changes (e.g. to forget cached pages)."""
        self._watchers.append(watcher)

    def publish(self, changes: list[Change]) -> None:
        """Changes this process committed (on the event loop, before the writer's await returns):
        nudge the other processes, and hand them over now if they come next, else read the log."""
        if self.wake is not None:
            self.wake.notify()
        fresh = [c for c in changes if c.seq > self.last_seq]
        if not fresh:
            return
        if fresh[0].seq == self.last_seq + 1:
            self._deliver(fresh)
        else:  # another process committed in between: its changes come first, from the log
            self.follow()

    def follow(self) -> None:
        """Read what the log holds after the last seq delivered (one read at a time)."""
        if self._reader is not None:
            self._read_again = True
            return
        self._reader = asyncio.get_running_loop().create_task(self._read_log())

    async def _read_log(self) -> None:
        try:
            while True:
                self._read_again = False
                found = await self.db.read(lambda db: changes_after(db, self.last_seq, REPLAY_PAGE))
                if found:
                    self.followed += 1
                    self._deliver(found)
                if len(found) < REPLAY_PAGE and not self._read_again:
                    return
        except Exception:
            if not self.db.closed:
                log.exception("reading the change log failed; the next poll tries again")
        finally:
            self._reader = None

    async def _poll_forever(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            if not self.db.closed:
                self.follow()

    def _deliver(self, changes: list[Change]) -> None:
        fresh = [c for c in changes if c.seq > self.last_seq]
        if not fresh:
            return
        self.last_seq = fresh[-1].seq
        for watcher in self._watchers:
            watcher(fresh)
        for change in fresh:
            for subscriber in tuple(self._by_channel.get(change.channel, ())):
                subscriber.offer(change)

    def subscribe(self, channels: Iterable[str]) -> Subscriber:
        subscriber = Subscriber(frozenset(channels), self.queue_size)
        for channel in subscriber.channels:
            self._by_channel[channel].add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        for channel in subscriber.channels:
            subs = self._by_channel.get(channel)
            if subs is not None:
                subs.discard(subscriber)
                if not subs:
                    del self._by_channel[channel]

    def subscriber_count(self, channel: str | None = None) -> int:
        if channel is not None:
            return len(self._by_channel.get(channel, ()))
        return len({s for subs in self._by_channel.values() for s in subs})

    async def replayable(self, since: int) -> bool:
        """Whether every change after `since` is still kept (else the client resets: it reloads)."""

        def read(db: sqlite_utils.Database) -> bool:
            first = db.conn.execute("SELECT min(seq) FROM changes").fetchone()[0]
            known = last_seq_in(db)
            return not (since > known or (first is not None and since < first - 1) or (first is None and since < known))

        return await self.db.read(read)

    async def history(
        self, channels: Iterable[str], since: int, until: int, page: int = REPLAY_PAGE
    ) -> AsyncIterator[list[Change]]:
        """Changes on channels with since < seq <= until, oldest first, `page` at a time (each page
        one short read, so a long absence never holds a reader or builds one huge list)."""
        channel_list = sorted(set(channels))
        marks = ",".join("?" * len(channel_list))
        sql = (
            f"SELECT seq, channel, type, data FROM changes WHERE seq > ? AND seq <= ? "
            f"AND channel IN ({marks}) ORDER BY seq LIMIT ?"
        )
        after = since
        while after < until:

            def read(db: sqlite_utils.Database, after: int = after) -> list[Change]:
                rows = db.conn.execute(sql, [after, until, *channel_list, page]).fetchall()
                return [Change.build(*row) for row in rows]

            found = await self.db.read(read)
            if not found:
                return
            yield found
            after = found[-1].seq

    async def prune(self, older_than_days: float) -> int:
        """Forget changes older than the retention period; returns how many."""
        cutoff = time.time() - older_than_days * 86400

        def delete(tx) -> int:
            # Keep the newest change so the counter's position stays visible to readers.
            return tx.execute(
                "DELETE FROM changes WHERE created < ? AND seq < (SELECT max(seq) FROM changes)",
                (cutoff,),
            ).rowcount

        return await self.db.write(delete)


def changes_after(db: sqlite_utils.Database, after: int, limit: int) -> list[Change]:
    """The oldest `limit` changes with a seq above `after`, on every channel."""
    rows = db.conn.execute(
        "SELECT seq, channel, type, data FROM changes WHERE seq > ? ORDER BY seq LIMIT ?", (after, limit)
    ).fetchall()
    return [Change.build(*row) for row in rows]


def last_seq_in(db: sqlite_utils.Database) -> int:
    """The newest seq, read inside a page's own read snapshot.

    A page renders its data and this seq from one `db.read(fn)`, then gives the seq
    to live.js (data-live-since): whatever committed after the snapshot is replayed.
    """
    if dialect_of(db) == "postgresql":  # the prune keeps the newest change: max(seq) never goes back
        return db.conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
    row = db.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'changes'").fetchone()
    return row[0] if row else 0


async def prune_forever(bus: Bus, days: int, every: float = 3600) -> None:
    """Background task: prune the change history once an hour."""
    while True:
        try:
            removed = await bus.prune(days)
            if removed:
                log.info("pruned %d old changes", removed)
        except Exception:  # keep pruning later; a failed prune loses nothing
            log.exception("pruning the change history failed")
        await asyncio.sleep(every)
