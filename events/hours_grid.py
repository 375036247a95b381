"""The weekly grid that writes a site's opening hours in OpenStreetMap syntax (issue 23: organizers
had to type "Mo-Fr 09:00-12:00,14:00-17:30" by hand).

The page draws the grid filled from the stored text (`grid_of`); `hours-grid.js` writes the text
field back from the grid as the organizer types, and the server still validates the syntax. Without
JavaScript the grid stays hidden and the text field works as before. Only the simple shape a grid
can show is read here (days or day ranges, then up to RANGES time ranges, rules separated by ";");
rules for public holidays ("PH off") are kept as they are, after the grid's; anything else (weeks,
months, comments) keeps the text field alone.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from quartier import formats

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
RANGES = 2  # a morning and an afternoon
_TIME = r"(?:[01]\d|2[0-4]):[0-5]\d"
_RULE = re.compile(
    rf"(?P<days>(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?"
    rf"(?:,(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?)*)"
    rf"\s+(?P<times>off|closed|{_TIME}-{_TIME}(?:,{_TIME}-{_TIME})*)"
)
_HOLIDAYS = re.compile(r"PH\b.*")


@dataclass(frozen=True)
class Grid:
    week: list[list[tuple[str, str]]]  # per day, Monday first: its (start, end) ranges
    extra: str = ""  # the public-holiday rules, written after the grid's ("PH off")


def _days(selector: str) -> list[int]:
    """ "Mo-We,Fr" -> [0, 1, 2, 4] (a range may wrap over Sunday, as OSM allows: "Sa-Mo")."""
    found: list[int] = []
    for part in selector.split(","):
        first, _sep, last = part.partition("-")
        a, b = DAYS.index(first), DAYS.index(last or first)
        found += [(a + n) % 7 for n in range((b - a) % 7 + 1)]
    return found


def grid_of(expression: str | None) -> Grid | None:
    """The week the text describes, or None when the grid cannot show it (the text field then rules).
    An empty text is an empty week."""
    week: list[list[tuple[str, str]]] = [[] for _d in DAYS]
    extra: list[str] = []
    for rule in (r.strip() for r in (expression or "").split(";")):
        if not rule:
            continue
        if _HOLIDAYS.fullmatch(rule):
            extra.append(rule)
            continue
        match = _RULE.fullmatch(rule)
        if not match:
            return None
        times = match["times"]
        ranges = [] if times in ("off", "closed") else [tuple(t.split("-", 1)) for t in times.split(",")]
        if len(ranges) > RANGES:
            return None
        for day in _days(match["days"]):
            week[day] = [(a, b) for a, b in ranges]  # a later rule replaces the day, as in OSM
    return Grid(week, "; ".join(extra))


def day_names(lang: str | None = None) -> list[str]:
    """ "lundi" … "dimanche" / "Monday" … "Sunday", through Babel."""
    monday = dt.date(2024, 1, 1)  # a Monday
    return [formats.ucfirst(formats.weekday(monday + dt.timedelta(days=n), lang)) for n in range(7)]
