"""Small builders for programme tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from events import store
from events.model import clean_session, clean_site
from quartier.typedefs import DB

SITE = {
    "slug": "maurepas",
    "name": "ESC Maurepas",
    "address": "rue Guy Ropartz",
    "postal_code": "35700",
    "commune": "Rennes",
    "insee": "35238",
    "opening_hours": "Mo-Fr 09:00-12:00,13:30-17:30",
}


def session_data(**kw: Any) -> dict[str, Any]:
    data = {
        "site": "maurepas",
        "title": "Permanence CAF",
        "kind": "permanence",
        "axis": "droits",
        "room": "Salle 2",
        "date": "2025-03-03",
        "start": "09:00",
        "end": "12:00",
        "repeat": {"every": "weekly"},
    }
    data.update(kw)
    return data


async def add_site(app, **kw: Any) -> None:
    site = clean_site({**SITE, **kw})
    await app[DB].write(lambda tx: store.save_site(tx, site))


async def add_session(app, **kw: Any) -> int:
    s = clean_session(session_data(**kw))
    id, _ = await app[DB].write(lambda tx: store.save_session(tx, s))
    return id


def monday(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=today.weekday())
