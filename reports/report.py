"""The programme's annual report: what was offered and what happened in a calendar year.

Every figure is computed from the same queries the pages use, so it reconciles with the data:
occurrences (recurrences expanded) from events.queries, hours from events.hours, feedback from
the feedback summary, and forums, notes, decisions and minutes from the forum's query functions
(forum.queries, exposed for this). Counts only: no personal data.

"Held" means an occurrence that was not cancelled and whose day is over (up to yesterday for the
current year); cancelled occurrences of the same period are counted apart.

    report = await db.read(lambda d: build(d, 2026, settings.tz))
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from events import hours, queries
from events.model import AXES
from quartier.i18n import N_
from reports import (
    decisions,
    feedback_figures,
    minutes_store,
    report_contributions,
    report_people,
    report_referral,
)
from reports.report_people import round1

SOURCES = ("tablet", "phone", "paper", "spoken")
SOURCE_LABELS = {"tablet": N_("tablette"), "phone": N_("téléphone"), "paper": N_("papier"), "spoken": N_("oral")}
SHORT_AXES = {"acces-libre": N_("Accès libre"), "accompagnement": N_("Accompagnement"), "droits": N_("Droits")}
MONTHS = (
    N_("janvier"),
    N_("février"),
    N_("mars"),
    N_("avril"),
    N_("mai"),
    N_("juin"),
    N_("juillet"),
    N_("août"),
    N_("septembre"),
    N_("octobre"),
    N_("novembre"),
    N_("décembre"),
)


def period(year: int, today: dt.date) -> tuple[dt.date, dt.date]:
    """The year's first day and its last day already over (an empty period for a future year)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return start, min(end, today - dt.timedelta(days=1))


def build(db: sqlite_utils.Database, year: int, tz: ZoneInfo, today: dt.date | None = None) -> dict[str, Any]:
    """The report's figures (see the module's docstring); one consistent read."""
    today = today or dt.datetime.now(tz).date()
    start, until = period(year, today)
    if until < start:  # a year not begun: an empty period
        occurrences: list[dict[str, Any]] = []
    else:
        occurrences = queries.occurrences(db, start, until)
    sites = {s["slug"]: s["name"] for s in queries.sites(db)}
    held, not_held, counts = report_people.split_held(db, occurrences, start, until)
    cancelled = [o for o in occurrences if o["status"] == "cancelled"]
    people = report_people.figures(held, counts, year, sites)
    people["previous"] = report_people.previous_year(db, start, until, sites)
    people["trend"] = report_people.trend(people["people"], people["previous"]["people"])

    def tally(key: str) -> dict[str, dict[str, int]]:
        h, c = Counter(o[key] for o in held), Counter(o[key] for o in cancelled)
        return {k: {"held": h.get(k, 0), "cancelled": c.get(k, 0)} for k in sorted(set(h) | set(c))}

    t0 = dt.datetime.combine(start, dt.time.min, tzinfo=tz).timestamp()
    t1 = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz).timestamp()
    forums = _forum_figures(db if until >= start else None, t0, t1, held)
    feedback = _feedback(db, start, until)
    return {
        "year": year,
        "start": start,
        "until": until,
        "partial": until < dt.date(year, 12, 31),
        "sites": sites,
        "sessions": {
            "held": len(held),
            "cancelled": len(cancelled),
            "not_held": len(not_held),
            "by_site": tally("site"),
            "by_axis": tally("axis"),
            "by_kind": tally("kind"),
        },
        "hours": {"total": round1(sum(hours.hours_of(o) for o in held)), "months": _months(year, until, held, sites)},
        "people": people,
        "attendance": {
            "people": people["people"],
            "forum_people": sum(f["attendance"] for f in forums["forums"]["list"]),
            "feedback_responses": sum(f["responses"] for f in feedback.values()),
            "sessions_held": len(held),
        },
        **forums,
        "feedback": feedback,
        "contributions": report_contributions.figures(db, year, today),
        "referrals": report_referral.figures(db, start, until),
    }


def _months(year: int, until: dt.date, held: list[dict[str, Any]], sites: dict[str, str]) -> list[dict[str, Any]]:
    """Hours per week, month by month: the month's hours over its weeks (days / 7).

    A month not over yet (`partial`) has its hours so far but no hours per week: one busy day
    multiplied up to a week said 73.5 h/week for a December of one day. Each axis's figure is rounded
    once, to one decimal, and the month's total is their sum, so the chart, its table and the CSV
    show the same numbers."""
    months = []
    for m in range(1, 13):
        first = dt.date(year, m, 1)
        month_last = dt.date(year, m, calendar.monthrange(year, m)[1])
        last = min(month_last, until)
        if last < first:
            break
        partial = last < month_last
        weeks = ((last - first).days + 1) / 7
        by_site: dict[str, float] = dict.fromkeys(sites, 0.0)
        by_axis: dict[str, float] = dict.fromkeys(AXES, 0.0)
        total = 0.0
        for o in (o for o in held if first <= o["start"].date() <= last):
            h = hours.hours_of(o)
            total += h
            by_site[o["site"]] = by_site.get(o["site"], 0.0) + h
            by_axis[o["axis"]] = by_axis.get(o["axis"], 0.0) + h
        axis_per_week = {a: round1(v / weeks) for a, v in by_axis.items()}
        months.append(
            {
                "month": m,
                "days": (last - first).days + 1,
                "partial": partial,
                "hours": round1(total),
                "per_week": None if partial else round1(sum(axis_per_week.values())),
                "site_hours": {k: round1(v) for k, v in by_site.items()},
                "axis_hours": {k: round1(v) for k, v in by_axis.items()},
                "site_per_week": None if partial else {s: round1(v / weeks) for s, v in by_site.items()},
                "axis_per_week": None if partial else axis_per_week,
            }
        )
    return months


def _forum_figures(
    db: sqlite_utils.Database | None, t0: float, t1: float, held: list[dict[str, Any]]
) -> dict[str, Any]:
    """Forums, hackathons, notes by source, decisions and actions, published minutes (db None: none yet)."""
    activity = minutes_store.activity(db, t0, t1) if db else {"forums": [], "hackathons": []}
    notes = dict.fromkeys(SOURCES, 0)
    for f in activity["forums"]:
        for s, n in f["notes"].items():
            notes[s] = notes.get(s, 0) + n
    records = decisions.records(db, start=t0, end=t1) if db else []
    actions = [r for r in records if r["kind"] == "action"]
    return {
        "forums": {
            "boards": len(activity["forums"]),
            "hackathons": len(activity["hackathons"]),
            "forum_days": sum(1 for o in held if o["kind"] == "forum"),
            "hackathon_days": sum(1 for o in held if o["kind"] == "hackathon"),
            "list": activity["forums"],
            "hackathon_list": activity["hackathons"],
        },
        "notes": {"total": sum(notes.values()), "by_source": notes},
        "decisions": {
            "decisions": sum(1 for r in records if r["kind"] == "decision"),
            "actions": len(actions),
            "done": sum(1 for r in actions if r["status"] == "done"),
            "open": sum(1 for r in actions if r["status"] == "open"),
        },
        "minutes": minutes_store.published_list(db, start=t0, end=t1) if db else [],
    }


def _feedback(db: sqlite_utils.Database, start: dt.date, until: dt.date) -> dict[str, dict[str, Any]]:
    """Answers and the mean satisfaction, per axis."""
    feedback = {}
    for axis in AXES:
        if until >= start:
            summary = feedback_figures.feedback_summary(db, axis=axis, start=start, end=until)
        else:
            summary = {"responses": 0, "questions": []}
        satisfaction = next((q for q in summary["questions"] if q["id"] == "satisfaction"), None)
        feedback[axis] = {"responses": summary["responses"], "mean": satisfaction["mean"] if satisfaction else None}
    return feedback
