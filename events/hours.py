"""Hours of service and room half-days, computed from the programme's occurrences.

The programme's headline goal is measured in hours of service offered per week: the sum of the
durations of the week's occurrences, recurrences expanded, cancelled ones left out (a full
session still happened). Pure functions over `queries.occurrences` rows, so the dashboard, its
CSV and the tests all use the same arithmetic.

Half-days: a morning is any time before 13:00, an afternoon any time from 13:00; a room's
half-day is used when an occurrence in that room overlaps it. Rooms are those named by the
site's sessions; half-days are counted Monday to Friday (10 per room and week).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from events.model import AXES

NOON = dt.time(13, 0)
WORKDAYS = 5
HALF_DAYS_PER_WEEK = WORKDAYS * 2


def hours_of(occurrence: dict[str, Any]) -> float:
    """An occurrence's duration in hours (wall-clock time, as residents see it)."""
    start, end = occurrence["start"], occurrence["end"]
    minutes = (end.replace(tzinfo=None) - start.replace(tzinfo=None)).total_seconds() / 60
    return round(minutes / 60, 4)


@dataclass
class Week:
    """One week's hours of service: in total, per site, per axis, and per site and axis."""

    monday: dt.date
    total: float = 0.0
    by_site: dict[str, float] = field(default_factory=dict)
    by_axis: dict[str, float] = field(default_factory=lambda: {a: 0.0 for a in AXES})
    by_site_axis: dict[str, dict[str, float]] = field(default_factory=dict)
    sessions: int = 0


def week_hours(occurrences: list[dict[str, Any]], monday: dt.date, site_slugs: list[str]) -> Week:
    """Hours offered in the week starting `monday` (occurrences may cover more days: filtered here)."""
    week = Week(
        monday, by_site={s: 0.0 for s in site_slugs}, by_site_axis={s: {a: 0.0 for a in AXES} for s in site_slugs}
    )
    sunday = monday + dt.timedelta(days=6)
    for o in occurrences:
        if o["status"] == "cancelled" or not monday <= o["start"].date() <= sunday:
            continue
        h = hours_of(o)
        week.total += h
        week.sessions += 1
        week.by_site[o["site"]] = week.by_site.get(o["site"], 0.0) + h
        week.by_axis[o["axis"]] = week.by_axis.get(o["axis"], 0.0) + h
        week.by_site_axis.setdefault(o["site"], {a: 0.0 for a in AXES})
        week.by_site_axis[o["site"]][o["axis"]] = week.by_site_axis[o["site"]].get(o["axis"], 0.0) + h
    week.total = round(week.total, 2)
    return week


def shares(by_axis: dict[str, float]) -> dict[str, float]:
    """Each axis's share of the hours, in per cent (0 when there are none)."""
    total = sum(by_axis.values())
    return {a: round(100 * h / total, 1) if total else 0.0 for a, h in by_axis.items()}


def missing_axes(weeks: list[Week], site_slugs: list[str]) -> dict[str, list[str]]:
    """Sites that offered no hour at all of some axis over the whole period: {site: [axis, ...]}."""
    out = {}
    for slug in site_slugs:
        lacking = [a for a in AXES if not any(w.by_site_axis.get(slug, {}).get(a) for w in weeks)]
        if lacking:
            out[slug] = lacking
    return out


def half_days(
    occurrences: list[dict[str, Any]], monday: dt.date, rooms: dict[str, list[str]]
) -> dict[str, dict[str, Any]]:
    """Used and free half-days (Monday to Friday) of each site's rooms in one week.

    `rooms` maps each site to its rooms (from its sessions). Returns {site: {"rooms": {room: {"used":
    n, "free": n}}, "used": n, "free": n}}; occurrences without a room are not counted.
    """
    used: dict[tuple[str, str], set[tuple[dt.date, int]]] = defaultdict(set)
    friday = monday + dt.timedelta(days=WORKDAYS - 1)
    for o in occurrences:
        day = o["start"].date()
        if o["status"] == "cancelled" or not o["room"] or not monday <= day <= friday:
            continue
        start, end = o["start"].time(), o["end"].time()
        if start < NOON:
            used[(o["site"], o["room"])].add((day, 0))
        if end > NOON or o["end"].date() > day:
            used[(o["site"], o["room"])].add((day, 1))
    out: dict[str, dict[str, Any]] = {}
    for site, names in rooms.items():
        per_room = {}
        for room in names:
            n = len(used.get((site, room), ()))
            per_room[room] = {"used": n, "free": HALF_DAYS_PER_WEEK - n}
        out[site] = {
            "rooms": per_room,
            "used": sum(r["used"] for r in per_room.values()),
            "free": sum(r["free"] for r in per_room.values()),
        }
    return out


def rooms_of(sessions: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Each site's rooms, as named by its sessions (sorted, empty names left out)."""
    out: dict[str, set[str]] = defaultdict(set)
    for s in sessions:
        out[s["site"]]
        if s["room"]:
            out[s["site"]].add(s["room"])
    return {site: sorted(names) for site, names in out.items()}


def mondays(first: dt.date, last: dt.date) -> list[dt.date]:
    """The Mondays of the weeks from the one of `first` to the one of `last`."""
    start = first - dt.timedelta(days=first.weekday())
    return [start + dt.timedelta(weeks=i) for i in range(((last - start).days // 7) + 1)]
