"""The demo's programme: Rennes' real places, an illustrative week of sessions around today."""

from __future__ import annotations

import datetime as dt
from typing import Any

from events import partners, registrations, store
from events.demo_data import DEMO_PEOPLE, HOURS, RENNES, SITES, WEEKLY
from events.demo_partners import PARTNERS, SESSION_PARTNERS
from events.model import clean_exception, clean_session, clean_site
from quartier.db import Tx


def sessions(today: dt.date) -> list[dict[str, Any]]:
    monday = today - dt.timedelta(days=today.weekday())
    first_monday = monday - dt.timedelta(weeks=53)  # a year of history for the annual report
    out = []
    for key, site, title, kind, axis, weekday, start, end, room, audience, partner, extra in WEEKLY:
        out.append(
            {
                "key": key,
                "site": site,
                "title": title,
                "kind": kind,
                "axis": axis,
                "room": room,
                "date": (first_monday + dt.timedelta(days=weekday)).isoformat(),
                "start": start,
                "end": end,
                "repeat": {"every": "weekly", "until": (monday + dt.timedelta(weeks=16)).isoformat()},
                "audience": audience,
                "partner": partner,
                "free": True,
                **dict(extra),  # type: ignore[call-overload]  # WEEKLY's last field is a dict of extra fields
            }
        )
    out.append(
        {
            "key": "maurepas-forum",
            "site": "maurepas",
            "title": "Forum de quartier : le numérique et nous",
            "kind": "forum",
            "axis": "accompagnement",
            "room": "Grande salle",
            "date": today.isoformat(),
            "start": "09:30",
            "end": "18:00",
            "audience": ["tous publics"],
            "description": "Un temps fort ouvert à toutes et tous : dites ce qui vous aide ou vous bloque.",
        }
    )
    hack_day = today + dt.timedelta(days=2)
    out.append(
        {
            "key": "hackathon-social",
            "site": "carrefour-18",
            "title": "Hackathon social : des outils simples pour les démarches",
            "kind": "hackathon",
            "axis": "droits",
            "room": "Salle commune",
            "date": hack_day.isoformat(),
            "start": "09:00",
            "end": "17:00",
            "audience": ["tous publics"],
            "registration": True,
            "capacity": 40,
            "description": "Habitants, partenaires, médiateurs et travailleurs sociaux construisent ensemble.",
        }
    )
    return [_with_partner(s) for s in out]


def registry() -> list[dict[str, Any]]:
    """The demo's partners, checked: save them before the sessions that name them."""
    site_slugs = {s["slug"] for s in SITES}
    return [partners.clean_partner(p, site_slugs=site_slugs) for p in PARTNERS]


def _with_partner(s: dict[str, Any]) -> dict[str, Any]:
    partner, staff = SESSION_PARTNERS.get(s["key"], (s.get("partner") or "", 1))
    return {**s, "partner": partner, "staff_count": staff}


def _next_on(today: dt.date, weekday: int) -> dt.date:
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7)


async def demo(ctx: Any) -> None:
    sites = [clean_site({**RENNES, "opening_hours": HOURS, **s}, default_timezone=ctx.settings.timezone) for s in SITES]
    rows = [clean_session(s) for s in sessions(ctx.today)]
    weekday_of = {k: w for k, _s, _t, _k, _a, w, *_r in WEEKLY}
    # One cancelled and one moved occurrence in the coming days.
    cancelled = (
        "blosne-caf",
        _next_on(ctx.today, weekday_of["blosne-caf"]),
        {"status": "cancelled", "reason": "Médiatrice en formation ; rendez-vous la semaine prochaine."},
    )
    moved_day = _next_on(ctx.today, weekday_of["villejean-tablette"])
    moved = (
        "villejean-tablette",
        moved_day,
        {
            "status": "moved",
            "new_date": moved_day.isoformat(),
            "start": "14:00",
            "end": "16:00",
            "room": "Salle 3",
            "reason": "Salle 2 en travaux.",
        },
    )

    def write(tx: Tx) -> None:
        tx.execute(
            "INSERT INTO programme_meta (name, value) VALUES ('demo', '1') "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value"
        )
        for site in sites:
            store.save_site(tx, site)
        for partner in registry():
            partners.save_partner(tx, partner)
        ids = {}
        for s in rows:
            ids[s["key"]], _o = store.save_session(tx, s)
        for key, day, change in (cancelled, moved):
            store.set_exception(tx, ids[key], clean_exception({"date": day.isoformat(), **change}))
        _registrations(tx, ids, weekday_of, ctx.today, ctx.now)

    await ctx.db.write(write)


def _registrations(tx: Tx, ids: dict[str, int], weekday_of: dict[str, int], today: dt.date, now: dt.datetime) -> None:
    for key, count in (("cleunay-smartphone", 10), ("centre-mail", 5)):
        day = _next_on(today + dt.timedelta(days=1), weekday_of[key])
        for n, name in enumerate(DEMO_PEOPLE[:count]):
            person = {"first_name": name, "phone": f"06 39 98 00 {n:02d}" if n % 2 else "", "email": ""}
            source = "desk" if n == 3 else "online"
            registrations.register(tx, ids[key], day, person, source=source, device="", now=now)
