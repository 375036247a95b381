"""A site's week, room by room and half-day by half-day: free, used by a session, asked for, or closed.

The page of free half-days and the API's `/api/v1/rooms` read it; the arithmetic of what a session
uses is the dashboard's (events.hours), so both count the same free half-days.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

from commons.halfdays import HALVES, closed, dates_of, halves_used, listed
from events import queries
from events.hours import WORKDAYS


def week(
    db: sqlite_utils.Database, site: dict[str, Any], monday: dt.date, organisation: int | None = None
) -> list[dict[str, Any]]:
    """[{room fields…, "days": [{"date", "halves": {half: {"state", "title"}}}], "free": n}] for one site.

    With `organisation` (a partner account), other partners' pending requests show without their title."""
    friday = monday + dt.timedelta(days=WORKDAYS - 1)
    taken: dict[tuple[str, dt.date, str], tuple[str, str]] = {}
    for o in queries.occurrences(db, monday, friday, site=site["slug"]):
        if o["status"] != "cancelled" and o["room"]:
            for half in halves_used(o["start"].strftime("%H:%M"), o["end"].strftime("%H:%M")):
                taken.setdefault((o["room"], o["start"].date(), half), ("used", o["title"]))
    for q in listed(db, state="pending", site=site["slug"]):
        until = dt.date.fromisoformat(q["until"]) if q["until"] else None
        for day in dates_of(dt.date.fromisoformat(q["first_date"]), until):
            for half in halves_used(q["start_time"], q["end_time"]):
                title = q["title"] if organisation is None or q["partner_id"] == organisation else ""
                taken.setdefault((q["room"], day, half), ("requested", title))
    out = []
    for room in queries.rooms(db, site["slug"]):
        days: list[dict[str, Any]] = []
        free = 0
        for i in range(WORKDAYS):
            day = monday + dt.timedelta(days=i)
            halves = {}
            for half, (start, end) in HALVES.items():
                state, title = taken.get((room["name"], day, half), ("free", ""))
                if state == "free" and closed(site, day, start, end):
                    state = "closed"
                halves[half] = {"state": state, "title": title, "start": start, "end": end}
                free += state == "free"
            days.append({"date": day, "halves": halves})
        out.append({**room, "days": days, "free": free})
    return out
