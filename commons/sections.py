"""What commons shows on the pages of the packages below it (quartier.slots): on a session page, the
partner that runs it, linked to its page, with its logo; on a site page, what of its base is out of order."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils
from aiohttp import web

from commons import base, base_words
from events import pages, queries
from quartier import slots
from quartier.slots import Section


def setup(app: web.Application) -> None:
    slots.add(app, pages.SESSION_PARTNER_SLOT, Section("commons/_session_partner.html", session_partner))
    slots.add(app, pages.SITE_SLOT, Section("commons/_site_base.html", site_base))


def session_partner(db: sqlite_utils.Database, ctx: dict[str, Any]) -> dict[str, Any] | None:
    key = ctx["session"].get("partner_key")
    return queries.partner(db, key) if key else None


def site_base(db: sqlite_utils.Database, ctx: dict[str, Any]) -> dict[str, Any] | None:
    """What of the site's common base is out of order (nothing shown for a site without a base); the
    words are said when the page renders, in the reader's language."""
    site = ctx["site"]
    tz = ZoneInfo(site["timezone"])
    if not base.items(db, site["slug"]):
        return None
    today = dt.datetime.now(tz).date()
    return {"out": base_words.out_of_order(db, site["slug"], tz), "say": lambda i: base_words.say(i, today, tz)}
