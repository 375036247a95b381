"""Where and when a place can be reached: the distance from a site, and whether it is open now or soon.

Opening hours are OpenStreetMap `opening_hours` expressions, as the sites' (read with the same
opening-hours-py parser), evaluated in the sites' local time.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import opening_hours

EARTH_KM = 6371.0
SOON = dt.timedelta(hours=72)  # "opens soon": within three days (Friday evening to Monday morning)
LOOKAHEAD = dt.timedelta(days=8)
# Order of the answer's places: open now, opening soon, later this week, hours unknown, not this week.
RANK = {"open": 0, "soon": 1, "later": 2, "unknown": 3, "closed": 4}


def distance_km(a: dict[str, Any] | None, b: dict[str, Any]) -> float | None:
    """Great-circle distance between two things with `latitude` and `longitude`; None when one lacks them."""
    if not a or a.get("latitude") is None or a.get("longitude") is None:
        return None
    if b.get("latitude") is None or b.get("longitude") is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a["latitude"], a["longitude"], b["latitude"], b["longitude"]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return round(2 * EARTH_KM * math.asin(math.sqrt(h)), 1)


@dataclass(frozen=True)
class Opening:
    """`state` is a key of RANK; `until` when it closes (open), `next` when it opens (soon, later)."""

    state: str
    until: dt.datetime | None = None
    next: dt.datetime | None = None


def opening(expression: str, moment: dt.datetime) -> Opening:
    """Whether a place is open at `moment` (aware, local) and when that changes."""
    if not expression.strip() or not opening_hours.validate(expression):
        return Opening("unknown")
    hours = opening_hours.OpeningHours(expression)
    tz = moment.tzinfo
    now = moment.replace(tzinfo=None)
    for start, end, state, _comment in hours.intervals(now, now + LOOKAHEAD):
        if state != opening_hours.State.OPEN:
            continue
        if start <= now:
            return Opening("open", until=end.replace(tzinfo=tz))
        begins = start.replace(tzinfo=tz)
        return Opening("soon" if begins - moment <= SOON else "later", next=begins)
    return Opening("closed")


def order_key(place: dict[str, Any]) -> tuple[int, float, str]:
    """Open now first, then soon; nearest first within each; then by name."""
    distance = place.get("distance")
    return (RANK[place["opening"].state], distance if distance is not None else math.inf, place["name"].lower())
