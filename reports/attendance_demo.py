"""Demo attendance: counts on most past occurrences of the last year (so the annual report's people
are not empty), a few left uncounted (the staff list of what is missing), a few not held."""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from typing import Any

from events import queries
from quartier.db import Tx
from reports.attendance_store import AGE_BANDS

# How many people a kind of session gathers, roughly (low, high).
TYPICAL = {"permanence": (2, 8), "atelier": (4, 10), "acces-libre": (3, 12), "forum": (25, 70), "hackathon": (12, 30)}
NEED_OF_AXIS = {"droits": ["caf", "titre-de-sejour"], "accompagnement": [], "acces-libre": []}


async def demo(ctx: Any) -> None:
    rng = random.Random(2026)
    start = ctx.today - dt.timedelta(days=365)
    until = ctx.today - dt.timedelta(days=1)
    past = await ctx.db.read(lambda d: queries.occurrences(d, start, until))
    rows: list[tuple[Any, ...]] = []
    for o in past:
        if o["status"] == "cancelled" or rng.random() < 0.08:  # some left for staff to count
            continue
        if rng.random() < 0.02:
            rows.append((o["session"], o["date"].isoformat(), 0, "animatrice absente", 0, None, None, "{}", "{}"))
            continue
        low, high = TYPICAL.get(o["kind"], (2, 8))
        n = rng.randint(low, high)
        ages: dict[str, int] = {}
        first = referred = None
        if rng.random() < 0.6:  # tallies are optional: often filled, not always
            left = n
            for band in rng.sample(list(AGE_BANDS), 3):
                k = rng.randint(0, left)
                if k:
                    ages[band] = k
                left -= k
            first, referred = rng.randint(0, n // 2), rng.randint(0, n // 4)
        needs = {need: rng.randint(1, max(1, n // 2))} if (need := _need(o, rng)) else {}
        rows.append(
            (o["session"], o["date"].isoformat(), 1, "", n, first, referred, json.dumps(ages), json.dumps(needs))
        )

    def write(tx: Tx) -> None:
        tx.db.conn.executemany(
            """INSERT INTO attendance (session_id, date, held, reason, count, first_visit, referred,
               ages, needs, recorded_by, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'demo', ?)
               ON CONFLICT (session_id, date) DO UPDATE SET held = excluded.held, reason = excluded.reason,
               count = excluded.count, first_visit = excluded.first_visit, referred = excluded.referred,
               ages = excluded.ages, needs = excluded.needs, recorded_by = excluded.recorded_by,
               updated = excluded.updated""",
            [(*r, time.time()) for r in rows],
        )

    await ctx.db.write(write)


def _need(o: dict[str, Any], rng: random.Random) -> str | None:
    choices = NEED_OF_AXIS.get(o["axis"], [])
    return rng.choice(choices) if choices and rng.random() < 0.5 else None
