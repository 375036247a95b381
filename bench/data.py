"""Writes into a Quartier database from another process: the outage's changes, the start-up data set.

Both go through quartier.db.Database, so they are ordinary committed writes with their bus
changes, as a second server process or an import would make them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import time
from pathlib import Path
from typing import Any

from quartier import features
from quartier.db import Database


async def _open(path: Path) -> Database:
    db = Database(path)
    await db.open(features.migration_sets(features.load()))
    return db


def post_notes(*, database: str, board_id: int, count: int) -> int:
    """`count` resident notes on a post-moderated board, each its own write."""
    from forum import store

    async def run() -> int:
        db = await _open(Path(database))
        try:
            # Concurrent writes, as a busy server makes them: group commit batches them.
            await asyncio.gather(
                *(
                    db.write(
                        lambda tx, k=k: store.post_note_tx(tx, board_id, text=f"pendant la coupure {k}", source="phone")
                    )
                    for k in range(count)
                )
            )
            return await db.read(lambda d: d.conn.execute("SELECT max(seq) FROM changes").fetchone()[0])
        finally:
            await db.close()

    return asyncio.run(run())


def fill_large(*, database: str, notes: int, years: int) -> dict[str, Any]:
    """`years` of programme (the demo's weekly sessions since then, workshops, cancellations)
    and `notes` forum notes over 200-note boards, with their changes."""
    from events import partners as events_partners
    from events import store as events_store
    from events.demo import registry, sessions
    from events.demo_data import HOURS, RENNES, SITES
    from events.model import clean_exception, clean_session, clean_site
    from forum import store as forum_store

    rng = random.Random(11)
    today = dt.date.today()
    start = today - dt.timedelta(days=365 * years)

    async def run() -> dict[str, Any]:
        db = await _open(Path(database))
        try:

            def programme(tx: Any) -> int:
                for s in SITES:
                    events_store.save_site(tx, clean_site({**RENNES, "opening_hours": HOURS, **s}))
                for p in registry():
                    events_partners.save_partner(tx, p)
                count = 0
                for s in sessions(today):
                    if s.get("repeat"):
                        first = dt.date.fromisoformat(s["date"])
                        s = {**s, "date": (first - dt.timedelta(weeks=52 * years)).isoformat()}
                    sid, _o = events_store.save_session(tx, clean_session(s))
                    count += 1
                    if s.get("repeat"):
                        day = dt.date.fromisoformat(s["date"])
                        while day < today:  # about one cancellation a month
                            if rng.random() < 0.25:
                                events_store.set_exception(
                                    tx,
                                    sid,
                                    clean_exception(
                                        {"date": day.isoformat(), "status": "cancelled", "reason": "Fermeture"}
                                    ),
                                )
                            day += dt.timedelta(weeks=1)
                day = start
                while day < today:  # two one-off workshops a week
                    for n in range(2):
                        site = rng.choice(SITES)["slug"]
                        events_store.save_session(
                            tx,
                            clean_session(
                                {
                                    "key": f"atelier-{day.isoformat()}-{n}",
                                    "site": site,
                                    "kind": "atelier",
                                    "title": f"Atelier numérique {day.isoformat()}",
                                    "axis": "accompagnement",
                                    "date": (day + dt.timedelta(days=n * 2)).isoformat(),
                                    "start": "14:00",
                                    "end": "16:00",
                                }
                            ),
                        )
                        count += 1
                    day += dt.timedelta(weeks=1)
                return count

            session_count = await db.write(programme)
            per_board = 200
            boards = max(1, notes // per_board)
            t0 = time.time() - 86400 * 365 * years
            written = 0
            for b in range(boards):

                def board(tx: Any, b: int = b) -> int:
                    nonlocal written
                    made = forum_store.create_board_tx(
                        tx, title=f"Forum {b}", moderation="post", site=rng.choice(SITES)["slug"], now=t0 + b * 3600
                    )
                    n = min(per_board, notes - written)
                    at = t0 + b * 3600
                    tx.db.conn.executemany(
                        "INSERT INTO forum_notes (board_id, theme, text, author, source, status, created, "
                        "published, updated) VALUES (?, 'autre', ?, '', 'tablet', 'published', ?, ?, ?)",
                        [
                            (made["id"], f"Une idée pour le quartier, numéro {i}", at + i, at + i, at + i)
                            for i in range(n)
                        ],
                    )
                    written += n
                    return n

                await db.write(board)
            return {"sessions": session_count, "boards": boards, "notes": written}
        finally:
            await db.close()

    return asyncio.run(run())
