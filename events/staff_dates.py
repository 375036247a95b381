"""The dates of one session on its edit page, a page of them at a time (issue 23: the edit page
listed none, so reaching 10 December meant clicking "Lendemain" day after day).

Each date links to the programme's own per-occurrence actions (`events_staff_occurrence`:
cancel with a reason, move, mark full, restore), which come back to the edit page afterwards.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

from events import queries

PAGE = 12  # dates shown at once; "Dates suivantes" shows the next ones
HORIZON = dt.timedelta(days=400)  # far enough for a year of a monthly session


def coming_dates(db: sqlite_utils.Database, session_id: int, start: dt.date) -> dict[str, Any]:
    """The session's next PAGE occurrences from `start` (cancelled ones too), and where the next page
    starts (None when there is no later date within the horizon)."""
    found = queries.occurrences(db, start, start + HORIZON, session_id=session_id)
    shown = found[:PAGE]
    more = shown[-1]["start"].date() + dt.timedelta(days=1) if len(found) > PAGE else None
    return {"dates": shown, "dates_from": start, "dates_more": more}
