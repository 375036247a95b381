"""What commons shows the packages above it (reports, and the equipment bank and referral to come):
reads to call inside `db.read(fn)`; every figure comes from `commons.budget.build`.

    b = await db.read(lambda d: queries.budget(d, 2026, today))
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

from commons import budget as budget_module
from commons import valuation

KINDS = valuation.KINDS  # contribution kind -> (label, unit), labels to translate where shown


def budget(db: sqlite_utils.Database, year: int, today: dt.date, partner_id: int | None = None) -> dict[str, Any]:
    """The valued budget of a year (a partner's own part with `partner_id`); see commons.budget."""
    return budget_module.build(db, year, today, partner_id)


def rates(db: sqlite_utils.Database, year: int) -> dict[str, dict[str, Any]]:
    """The valuation rule values that apply to a year: {rule: {value, year, source}}."""
    return valuation.rates(db, year)
