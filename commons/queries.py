"""What commons shows the packages above it (reports, and the equipment bank and referral to come):
reads to call inside `db.read(fn)`; every figure comes from `commons.budget.build`.

    b = await db.read(lambda d: queries.budget(d, 2026, today))
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from commons import base_words, halfdays, valuation
from commons import budget as budget_module

KINDS = valuation.KINDS  # contribution kind -> (label, unit), labels to translate where shown


def budget(db: sqlite_utils.Database, year: int, today: dt.date, partner_id: int | None = None) -> dict[str, Any]:
    """The valued budget of a year (a partner's own part with `partner_id`); see commons.budget."""
    return budget_module.build(db, year, today, partner_id)


def rates(db: sqlite_utils.Database, year: int) -> dict[str, dict[str, Any]]:
    """The valuation rule values that apply to a year: {rule: {value, year, source}}."""
    return valuation.rates(db, year)


def out_of_order(db: sqlite_utils.Database, site: str, tz: ZoneInfo) -> list[dict[str, Any]]:
    """What of a site's common base is broken or works badly (commons.base_words); `say` words each."""
    return base_words.out_of_order(db, site, tz)


say = base_words.say  # say(item, today, tz, lang=None): "Imprimante en panne depuis mardi"


def base_coverage(db: sqlite_utils.Database, year: int, now: float, tz: ZoneInfo) -> list[dict[str, Any]]:
    """Per site: items of the base working out of all, and days broken in `year` (commons.base_words)."""
    return base_words.coverage(db, year, now, tz)


def booked_sessions(db: sqlite_utils.Database) -> set[int]:
    """Sessions that accepted half-day requests created (commons.halfdays): hours gained for the goal."""
    return halfdays.booked_sessions(db)
