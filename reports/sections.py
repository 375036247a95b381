"""What reports shows on the pages of the packages below it (quartier.slots): a session's feedback
QR code and its forums' published minutes; a site's published minutes; on a forum board's
console, the attendance counter and the link to its minutes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils
from aiohttp import web

from events import pages
from forum import console, staff, views_forums
from quartier import slots
from quartier.slots import Section
from reports import feedback_store, minutes_store


def setup(app: web.Application) -> None:
    slots.add(app, pages.SESSION_SLOT, Section("reports/_minutes.html", session_minutes))
    slots.add(app, pages.SESSION_ASIDE_SLOT, Section("reports/feedback/_session_qr.html", session_feedback))
    slots.add(app, pages.SITE_SLOT, Section("reports/_minutes.html", site_minutes))
    slots.add(app, console.CONSOLE_SLOT, Section("reports/minutes/_console.html", board_attendance))
    slots.add(app, staff.BOARD_SLOT, Section("reports/minutes/_board_link.html", board_id))
    slots.add(app, views_forums.FORUM_SLOT, Section("reports/minutes/_forum_link.html", forum_id))


def session_minutes(db: sqlite_utils.Database, ctx: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The published minutes of the session's forums."""
    return minutes_store.published_list(db, session_id=ctx["session"]["id"]) or None


def site_minutes(db: sqlite_utils.Database, ctx: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The published minutes of the forums held at the site."""
    return minutes_store.published_list(db, site=ctx["site"]["slug"]) or None


def session_feedback(db: sqlite_utils.Database, ctx: dict[str, Any]) -> dict[str, Any] | None:
    """The feedback form of the chosen occurrence, else of today's, while it can be answered."""
    now: dt.datetime = ctx["now"]
    tz = ctx["settings"].tz
    chosen = ctx.get("chosen")
    candidates = [chosen] if chosen else [o for o in ctx["coming"] if o["start"].date() == now.date()]
    for occ in candidates:
        closes = feedback_store.closing(occ["start"].date(), ctx["settings"].feedback_open_days, tz)
        if occ["status"] != "cancelled" and occ["start"].date() <= now.date() and now < closes:
            return {"session": occ["session"], "date": occ["date"].isoformat()}
    return None


def board_attendance(db: sqlite_utils.Database, ctx: dict[str, Any]) -> dict[str, Any]:
    """The people counted in on the console, for the attendance counter."""
    return {"board": ctx["board"]["id"], "count": minutes_store.meta(db, ctx["board"]["id"])["attendance"]}


def board_id(db: sqlite_utils.Database, ctx: dict[str, Any]) -> int:
    return ctx["board"]["id"]


def forum_id(db: sqlite_utils.Database, ctx: dict[str, Any]) -> int:
    return ctx["forum"]["id"]
