"""The dashboard's figures from commons: hours gained by booked half-days, and each site's base
coverage (items working, days broken this year). Its own section, beside the service time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils
from aiohttp import web

from commons import queries as commons
from events import hours, queries
from events.pages import now
from quartier.typedefs import DB, SETTINGS


def figures(db: sqlite_utils.Database, monday: dt.date, moment: dt.datetime) -> dict[str, Any]:
    booked = commons.booked_sessions(db)
    week = queries.occurrences(db, monday, monday + dt.timedelta(days=6))
    gained = sum(hours.hours_of(o) for o in week if o["session"] in booked and o["status"] != "cancelled")
    coverage = commons.base_coverage(db, moment.year, moment.timestamp(), moment.tzinfo)  # type: ignore[arg-type]
    return {"booked_hours": round(gained, 2), "base_coverage": coverage, "coverage_year": moment.year}


async def read(request: web.Request, monday: dt.date) -> dict[str, Any]:
    moment = now(request).astimezone(request.app[SETTINGS].tz)
    return await request.app[DB].read(lambda db: figures(db, monday, moment))
