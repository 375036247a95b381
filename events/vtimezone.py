"""VTIMEZONE components that every calendar reader gets right.

`icalendar.Timezone.from_tzid` writes every past and future transition as one RDATE line of
comma-separated dates, which Mozilla's ical.js (Thunderbird, Nextcloud) and vobject only half
read: summer occurrences came an hour late there. Here a zone is written the way the tz
database states its rule: one STANDARD and one DAYLIGHT observance, each with a yearly RRULE
(e.g. the last Sunday of March at 02:00, TZOFFSETFROM +0100, TZOFFSETTO +0200). The rule is
read off zoneinfo's own transitions and checked against every transition of the years it
covers; a zone whose transitions follow no yearly rule gets one observance per transition
instead (its DTSTART alone, no RDATE list).

RFC 5545 reads an observance's DTSTART as the local time *before* the change, in its
TZOFFSETFROM: the spring change in Paris is 02:00 (+0100 → +0200), the autumn one 03:00.
"""

from __future__ import annotations

import calendar as cal
import datetime as dt
import functools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import icalendar

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
YEARS_CHECKED = 30


@dataclass(frozen=True)
class Transition:
    """One change of UTC offset: when (UTC), the wall-clock time before it, the offsets and the new name."""

    at: dt.datetime
    local: dt.datetime  # naive wall-clock time in the offset before the change
    before: dt.timedelta
    after: dt.timedelta
    name: str

    @property
    def daylight(self) -> bool:
        return self.after > self.before


def _offset(tz: ZoneInfo, moment: dt.datetime) -> dt.timedelta:
    return moment.astimezone(tz).utcoffset() or dt.timedelta(0)


def transitions(tz: ZoneInfo, first_year: int, last_year: int) -> list[Transition]:
    """Every change of offset from January 1st of first_year to the end of last_year (to the second)."""
    found = []
    moment = dt.datetime(first_year, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(last_year + 1, 1, 1, tzinfo=dt.UTC)
    step = dt.timedelta(days=7)
    while moment < end:
        nxt = moment + step
        if _offset(tz, moment) != _offset(tz, nxt):
            lo, hi = moment, nxt
            while hi - lo > dt.timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                lo, hi = (lo, mid) if _offset(tz, lo) != _offset(tz, mid) else (mid, hi)
            before, after = _offset(tz, lo), _offset(tz, hi)
            name = hi.astimezone(tz).tzname() or ""
            found.append(Transition(hi, (hi + before).replace(tzinfo=None), before, after, name))
        moment = nxt
    return found


def _byday(local: dt.datetime, last: bool) -> str:
    n = -1 if last else (local.day - 1) // 7 + 1
    return f"{n}{WEEKDAYS[local.weekday()]}"


def _is_last(day: dt.date) -> bool:
    return day.day + 7 > cal.monthrange(day.year, day.month)[1]


def _yearly_rule(changes: list[Transition]) -> str | None:
    """The BYMONTH/BYDAY rule that all these same-kind changes follow (same month, weekday, time), or None."""
    first = changes[0]
    candidates = ([_byday(first.local, True)] if _is_last(first.local.date()) else []) + [_byday(first.local, False)]
    for byday in candidates:
        last = byday.startswith("-1")
        if all(
            t.local.month == first.local.month
            and t.local.time() == first.local.time()
            and (t.before, t.after, t.name) == (first.before, first.after, first.name)
            and _byday(t.local, last) == byday
            for t in changes
        ):
            return byday
    return None


def _observance(kind: type, t: Transition) -> icalendar.cal.Component:
    component = kind()
    component.add("dtstart", t.local)
    component.add("tzoffsetfrom", t.before)
    component.add("tzoffsetto", t.after)
    if t.name:
        component.add("tzname", t.name)
    return component


@functools.lru_cache(maxsize=64)
def _vtimezone_ical(tzid: str, first_year: int) -> bytes:
    tz = ZoneInfo(tzid)
    # From the year before the first event, so its first days lie after an observance's onset.
    start = first_year - 1
    found = transitions(tz, start, start + YEARS_CHECKED)
    zone = icalendar.Timezone()
    zone.add("tzid", tzid)
    if not found:
        offset = _offset(tz, dt.datetime(start, 1, 1, tzinfo=dt.UTC))
        name = dt.datetime(start, 1, 1, tzinfo=dt.UTC).astimezone(tz).tzname() or ""
        still = Transition(dt.datetime(1970, 1, 1, tzinfo=dt.UTC), dt.datetime(1970, 1, 1), offset, offset, name)
        zone.add_component(_observance(icalendar.TimezoneStandard, still))
        return zone.to_ical()
    groups = [[t for t in found if t.daylight], [t for t in found if not t.daylight]]
    rules = [_yearly_rule(g) if g else None for g in groups]
    if all(g and r for g, r in zip(groups, rules, strict=True)):
        for group, byday in zip(groups, rules, strict=True):
            first = group[0]
            component = _observance(icalendar.TimezoneDaylight if first.daylight else icalendar.TimezoneStandard, first)
            component.add("rrule", {"FREQ": "YEARLY", "BYMONTH": first.local.month, "BYDAY": byday})
            zone.add_component(component)
        return zone.to_ical()
    # No yearly rule: each transition is its own observance, one date per line.
    for t in found:
        zone.add_component(_observance(icalendar.TimezoneDaylight if t.daylight else icalendar.TimezoneStandard, t))
    return zone.to_ical()


def vtimezone(tzid: str, first_year: int) -> icalendar.Timezone:
    """The VTIMEZONE of `tzid` for events from `first_year` on."""
    zone = icalendar.Timezone.from_ical(_vtimezone_ical(tzid, first_year))
    assert isinstance(zone, icalendar.Timezone)
    return zone
