"""The annual report's people: who was reached, from the attendance counts (reports.attendance_store).

People reached per site, axis and month; first visits; hours of service per person (the hours of
the counted occurrences over the people counted in them); the share of held occurrences that were
counted, so a reader knows how complete the figures are; and the same figures for the same days of
the previous year, for the trend. Counts of people are visits: someone who comes every week is
counted every week (the counts are anonymous, so nobody can be counted once).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlite_utils

from events import hours, queries
from events.model import AXES
from reports import attendance_store


def round1(value: float) -> float:
    """One decimal, halves up (47.25 is 47.3 everywhere: chart, table, CSV), never float's 47.2."""
    return float(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def split_held(
    db: sqlite_utils.Database, occurrences: list[dict[str, Any]], start: dt.date, until: dt.date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[tuple[int, str], dict[str, Any]]]:
    """(held, not held, counts): occurrences not cancelled, split by the "not held" mark staff gave."""
    counts = attendance_store.between(db, start, until) if until >= start else {}
    held: list[dict[str, Any]] = []
    not_held: list[dict[str, Any]] = []
    for o in occurrences:
        if o["status"] == "cancelled":
            continue
        mark = counts.get((o["session"], o["date"].isoformat()))
        (not_held if mark is not None and not mark["held"] else held).append(o)
    return held, not_held, counts


def figures(
    held: list[dict[str, Any]], counts: dict[tuple[int, str], dict[str, Any]], year: int, sites: dict[str, str]
) -> dict[str, Any]:
    """People reached in these held occurrences (see the module's docstring)."""
    counted = [
        (o, counts[(o["session"], o["date"].isoformat())])
        for o in held
        if (o["session"], o["date"].isoformat()) in counts
    ]
    by_site: Counter[str] = Counter()
    by_axis: Counter[str] = Counter()
    months: dict[int, Counter[str]] = {m: Counter() for m in range(1, 13)}
    ages: Counter[str] = Counter()
    needs: Counter[str] = Counter()
    first, first_known, referred = 0, 0, 0
    counted_hours = 0.0
    for o, a in counted:
        n = a["count"]
        by_site[o["site"]] += n
        by_axis[o["axis"]] += n
        if o["start"].year == year:
            months[o["start"].month][o["axis"]] += n
        ages.update(a["ages"])
        needs.update(a["needs"])
        if a["first_visit"] is not None:
            first += a["first_visit"]
            first_known += n
        referred += a["referred"] or 0
        counted_hours += hours.hours_of(o)
    people = sum(by_site.values())
    return {
        "people": people,
        "held": len(held),
        "counted": len(counted),
        "share_counted": round1(100 * len(counted) / len(held)) if held else 0.0,
        "by_site": {s: by_site.get(s, 0) for s in sites if by_site.get(s) or s in {o["site"] for o in held}},
        "by_axis": {a: by_axis.get(a, 0) for a in AXES},
        "months": [
            {"month": m, "people": sum(c.values()), "by_axis": {a: c.get(a, 0) for a in AXES}}
            for m, c in months.items()
        ],
        "first_visits": first,
        "first_visits_of": first_known,  # people in the occurrences where first visits were tallied
        "referred": referred,
        "ages": {k: ages.get(k, 0) for k in attendance_store.AGE_BANDS},
        "needs": dict(needs.most_common()),
        "hours_counted": round1(counted_hours),
        "hours_per_person": round(counted_hours / people, 2) if people else None,
    }


def previous_year(db: sqlite_utils.Database, start: dt.date, until: dt.date, sites: dict[str, str]) -> dict[str, Any]:
    """The same days one year earlier (1 January to the same day), for the trend."""
    if until < start:
        return {"people": 0, "counted": 0, "held": 0, "share_counted": 0.0, "hours": 0.0}
    p_start = start.replace(year=start.year - 1)
    p_until = until.replace(year=until.year - 1, day=min(until.day, 28) if until.month == 2 else until.day)
    occurrences = queries.occurrences(db, p_start, p_until)
    held, _not_held, counts = split_held(db, occurrences, p_start, p_until)
    f = figures(held, counts, start.year - 1, sites)
    kept = {k: f[k] for k in ("people", "counted", "held", "share_counted")}
    return {"start": p_start, "until": p_until, "hours": round1(sum(hours.hours_of(o) for o in held)), **kept}


def trend(now: int, before: int) -> float | None:
    """The change in percent (one decimal), None when there was nothing to compare with."""
    return round1(100 * (now - before) / before) if before else None
