"""Places on a lower package's page that a higher package fills, so the ladder never climbs.

A session page (events) shows the feedback QR code and the published minutes of its forums
(reports) and the forum's join link (forum); a facilitator's console (forum) shows the
attendance counter and a link to the minutes (reports). The lower package names a slot and
renders whatever was registered for it; the higher package registers a `Section` at start-up,
the way it adds its staff links. The lower package never imports the higher one.

    # reports/feature.py, in setup(app):
    slots.add(app, pages.SESSION_SLOT, Section("reports/_session_minutes.html", read_minutes))

    # events/pages.py, inside the page's db.read(fn):
    "sections": slots.read(app, SESSION_SLOT, db, {"session": s, ...}),

    {# events/templates/events/session.html #}
    {% for section in sections %}{% include section.template %}{% endfor %}
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlite_utils
from aiohttp import web

from quartier.typedefs import SLOTS

# A section's data, read inside the page's own read transaction (one consistent snapshot);
# it gets the page's context (what the page knows: its session, site or board, the settings,
# the moment) and returns what its template needs, or None to show nothing.
Reader = Callable[[sqlite_utils.Database, dict[str, Any]], Any]


@dataclass(frozen=True)
class Section:
    """A partial template of a higher package, and the read that feeds it."""

    template: str
    read: Reader


@dataclass(frozen=True)
class Filled:
    """One section ready for its page: the template to include and its data (`section.data`)."""

    template: str
    data: Any


def add(app: web.Application, slot: str, section: Section) -> None:
    """Register a section for a slot; sections show in the order they were added."""
    app[SLOTS].setdefault(slot, []).append(section)


def read(app: web.Application, slot: str, db: sqlite_utils.Database, context: dict[str, Any]) -> list[Filled]:
    """Every section of a slot with its data, skipping those with nothing to show (call inside db.read)."""
    filled = []
    for section in app[SLOTS].get(slot, ()):
        data = section.read(db, context)
        if data is not None:
            filled.append(Filled(section.template, data))
    return filled
