"""An item's calendar: its half-days over the coming weeks (the page) and its bookings as iCalendar.

Both say only "booked" or "out" to whoever may not see borrowers (the public catalogue); staff and
partner accounts see who.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar

from commons.means import STANDING, slot
from events.vtimezone import vtimezone
from quartier.i18n import gettext as _

HALF_HOURS = {"morning": (dt.time(8, 0), dt.time(13, 0)), "afternoon": (dt.time(13, 0), dt.time(19, 0))}


def grid(bookings: list[dict[str, Any]], first: dt.date, days: int, today: dt.date) -> list[dict[str, Any]]:
    """[{"date", "morning": booking|None, "afternoon": booking|None}] from `first` for `days` days."""
    standing = [b for b in bookings if b["state"] in STANDING]
    spans = [(slot(dt.date.fromisoformat(b["start_date"]), b["start_half"]), _last(b, today), b) for b in standing]
    out = []
    for i in range(days):
        day = first + dt.timedelta(days=i)
        row: dict[str, Any] = {"date": day}
        for half in ("morning", "afternoon"):
            n = slot(day, half)
            row[half] = next((b for a, z, b in spans if a <= n <= z), None)
        out.append(row)
    return out


def _last(b: dict[str, Any], today: dt.date) -> int:
    end = slot(dt.date.fromisoformat(b["end_date"]), b["end_half"])
    return max(end, slot(today, "afternoon")) if b["state"] == "out" else end  # late: shown out until today


def ical(item: dict[str, Any], bookings: list[dict[str, Any]], *, base_url: str, tz: ZoneInfo, who: bool) -> bytes:
    """One VEVENT per standing booking, UID `booking-{id}@{host}`; the borrower only when `who`."""
    host = urlsplit(base_url).hostname or "quartier"
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Quartier//Banque de matériel//FR")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", item["name"])
    years = [int(b["start_date"][:4]) for b in bookings] or [dt.date.today().year]
    cal.add_component(vtimezone(str(tz), min(years)))
    for b in bookings:
        if b["state"] not in STANDING:
            continue
        event = icalendar.Event()
        event.add("uid", f"booking-{b['id']}@{host}")
        start = dt.datetime.combine(dt.date.fromisoformat(b["start_date"]), HALF_HOURS[b["start_half"]][0], tz)
        end = dt.datetime.combine(dt.date.fromisoformat(b["end_date"]), HALF_HOURS[b["end_half"]][1], tz)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("dtstamp", dt.datetime.fromtimestamp(b["created"], dt.UTC))
        label = _("Sorti") if b["state"] == "out" else _("Réservé")
        event.add("summary", f"{item['name']} : {label}" + (f" ({b['borrower']})" if who and b["borrower"] else ""))
        if who:
            event.add("description", b["purpose"])
        event.add("status", "TENTATIVE" if b["state"] == "pending" else "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()
