"""What the forum shows on the programme's pages (quartier.slots): on a forum session's page and on
its site's page, how to join the open boards (the code, /j, a QR code to the phone page). Residents
could not find the forum: the join link was only on the projected wall."""

from __future__ import annotations

from typing import Any

import sqlite_utils
from aiohttp import web

from events import pages
from forum import queries
from quartier import slots
from quartier.slots import Section

JOIN = "forum/_join.html"


def setup(app: web.Application) -> None:
    slots.add(app, pages.SESSION_SLOT, Section(JOIN, session_boards))
    slots.add(app, pages.SITE_SLOT, Section(JOIN, site_boards))


def session_boards(db: sqlite_utils.Database, ctx: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The session's open boards."""
    return [queries.public_board(b) for b in queries.boards(db, session_id=ctx["session"]["id"], state="open")] or None


def site_boards(db: sqlite_utils.Database, ctx: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The boards open at the site now."""
    return queries.boards_running_at(db, ctx["site"]["slug"]) or None
