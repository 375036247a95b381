"""What commons shows on the pages of the packages below it (quartier.slots): on a session page, the
partner that runs it, linked to its page, with its logo."""

from __future__ import annotations

from typing import Any

import sqlite_utils
from aiohttp import web

from events import pages, queries
from quartier import slots
from quartier.slots import Section


def setup(app: web.Application) -> None:
    slots.add(app, pages.SESSION_PARTNER_SLOT, Section("commons/_session_partner.html", session_partner))


def session_partner(db: sqlite_utils.Database, ctx: dict[str, Any]) -> dict[str, Any] | None:
    key = ctx["session"].get("partner_key")
    return queries.partner(db, key) if key else None
