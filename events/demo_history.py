"""A year of history for the demo, so the annual report says something: past forum days at three
sites (reports adds their boards and minutes), a summer closure and a few cancellations (reports
adds feedback answers on the sessions held). The weekly timetable itself starts a year back (events.demo)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from events import queries, store
from events.model import clean_exception, clean_session
from quartier.db import Tx

# (key, site, title, days ago, room): the forum days of the past year; the forum demo adds their walls.
PAST_FORUMS = [
    ("le-blosne-forum", "le-blosne", "Forum de quartier du Blosne : vos démarches en ligne", 30, "Salle polyvalente"),
    ("villejean-forum", "villejean", "Forum de quartier de Villejean : le numérique au quotidien", 150, "Hall"),
    ("cleunay-forum", "cleunay", "Forum de quartier de Cleunay : se faire aider", 240, "Salle 1"),
]
ABSENCE = "Médiatrice ou médiateur absent ; excuses aux habitants."
SUMMER = "Fermeture d'été du centre."


def _saturday_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - 5) % 7)


async def demo(ctx: Any) -> None:
    rng = random.Random(2006)
    today = ctx.today
    year_ago = today - dt.timedelta(days=365)
    forums = [
        clean_session(
            {
                "key": key,
                "site": site,
                "title": title,
                "kind": "forum",
                "axis": "accompagnement",
                "room": room,
                "date": _saturday_before(today - dt.timedelta(days=days)).isoformat(),
                "start": "10:00",
                "end": "17:00",
                "audience": ["tous publics"],
                "description": "Un temps fort ouvert à toutes et tous.",
            }
        )
        for key, site, title, days, room in PAST_FORUMS
    ]

    def sessions(tx: Tx) -> None:
        for s in forums:
            store.save_session(tx, s)

    await ctx.db.write(sessions)
    last_week = today - dt.timedelta(days=8)
    past = await ctx.db.read(lambda d: queries.occurrences(d, year_ago, last_week))
    # A two-week summer closure at the six ESC, then about one absence in forty sessions.
    summer = dt.date(today.year if today.month > 8 else today.year - 1, 8, 4)
    cancel: list[tuple[int, dt.date, str]] = []
    for o in past:
        if o["status"] != "scheduled" or o["kind"] == "forum":
            continue
        if summer <= o["date"] < summer + dt.timedelta(days=14) and o["site"] not in ("carrefour-18", "leperdit"):
            cancel.append((o["session"], o["date"], SUMMER))
        elif rng.random() < 0.025:
            cancel.append((o["session"], o["date"], ABSENCE))

    def write(tx: Tx) -> None:
        for sid, day, reason in cancel:
            store.set_exception(
                tx, sid, clean_exception({"date": day.isoformat(), "status": "cancelled", "reason": reason})
            )

    await ctx.db.write(write)
