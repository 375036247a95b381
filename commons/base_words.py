"""What a site's page, its lobby screen and the API say of its base when something is out of order:
plainly, in the reader's language ("Imprimante en panne depuis mardi")."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from commons import base
from quartier import formats, i18n
from quartier.i18n import N_
from quartier.i18n import gettext as _

SAYS = {
    ("broken", "today"): N_("{label} en panne depuis aujourd'hui"),
    ("broken", "week"): N_("{label} en panne depuis {weekday}"),
    ("broken", "date"): N_("{label} en panne depuis le {date}"),
    ("degraded", "today"): N_("{label} fonctionne mal depuis aujourd'hui"),
    ("degraded", "week"): N_("{label} fonctionne mal depuis {weekday}"),
    ("degraded", "date"): N_("{label} fonctionne mal depuis le {date}"),
}


def say(item: dict[str, Any], today: dt.date, tz: ZoneInfo, lang: str | None = None) -> str:
    """One item out of order, with since when: today, a weekday within the week, else its date.

    In the reader's language (the request's), or in `lang` where no request sets it (a screen's snapshot)."""
    token = i18n.current_language.set(lang) if lang else None
    try:
        since = dt.datetime.fromtimestamp(item["since"], tz).date()
        when = "today" if since == today else "week" if (today - since).days < 7 else "date"
        return _(SAYS[(item["state"], when)]).format(
            label=item["label"], weekday=formats.weekday(since), date=formats.date(since)
        )
    finally:
        if token is not None:
            i18n.current_language.reset(token)


def out_of_order(db: sqlite_utils.Database, site: str, tz: ZoneInfo) -> list[dict[str, Any]]:
    """The site's items broken or working badly: id, label, kind, state, since (a timestamp), since_date.

    The words are `say(item, …)`'s, called where the reader's language is known."""
    out = []
    for i in base.items(db, site):
        if i["state"] in base.OUT_OF_ORDER:
            since = dt.datetime.fromtimestamp(i["since"], tz).date().isoformat()
            out.append({k: i[k] for k in ("id", "label", "kind", "state", "since")} | {"since_date": since})
    return out


def coverage(db: sqlite_utils.Database, year: int, now: float, tz: ZoneInfo) -> list[dict[str, Any]]:
    """Per site with a base: items working out of all, and days broken this year (all items summed)."""
    by_site: dict[str, dict[str, Any]] = {}
    for i in base.items(db):
        row = by_site.setdefault(i["site"], {"site": i["site"], "name": i["site_name"], "working": 0, "total": 0})
        row["total"] += 1
        row["working"] += i["state"] == "working"
        row["days_broken"] = row.get("days_broken", 0.0) + base.days_broken(db, i["id"], year, now, tz)
    return [{**r, "days_broken": round(r["days_broken"], 1)} for r in by_site.values()]
