"""The snapshot: everything one screen needs, in one JSON document it can keep offline.

`build(db, display_id, ...)` runs inside one `db.read(fn)`, so the programme, the
announcements and the boards it reads form one consistent picture. The document
describes whole days (today and the next 6) rather than "what is on now": the
screen computes now / next / later from its own clock, so it stays right while
the network is down. It changes only when the data changes (or the date does),
which keeps ETags stable and lets a screen or agent revalidate cheaply.

Programme, forum and feedback data come only through `events.queries`, `forum.queries` and
`reports.queries`. The snapshot lists the bus channels it is made of (`channels`): the screen
follows exactly those, so a change anywhere in them reaches it in the transaction that made it,
and its `version` is the newest change on them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import sqlite_utils

from commons import queries as commons
from events import changes as events_changes
from events import queries as programme
from forum import changes as forum_changes
from forum import queries as forums
from quartier.qr import qr_svg
from reports import queries as reports
from signage import changes

FORMAT = 1
DAYS = 7  # today and the next 6
HIGHLIGHTS = 8
WALL_NOTES = 8
ROTATION_SECONDS = 12
# Kinds worth showing on another site's screen first.
HIGHLIGHT_KINDS = ("forum", "hackathon", "atelier")


@dataclass(frozen=True)
class Links:
    """How to write the public URLs printed in QR codes (they go through the configured base URL)."""

    base_url: str
    site: str = "/sites/{slug}"
    board: str = "/j/{code}"  # the forum's phone page for a board

    def absolute(self, path: str) -> str:
        return self.base_url.rstrip("/") + path


def qr(url: str, label: str, **extra: str) -> dict[str, str]:
    """A QR code and the text to type instead (issue 26): `short`, the address without its scheme."""
    short = url.split("://", 1)[-1]
    return {"url": url, "label": label, "svg": qr_svg(url, label=label), "short": short, **extra}


def display_row(db: sqlite_utils.Database, display_id: int) -> dict[str, Any] | None:
    row = db.conn.execute("SELECT * FROM signage_displays WHERE id = ?", (display_id,)).fetchone()
    return dict(row) if row else None


def site_of(db: sqlite_utils.Database, slug: str, tz: ZoneInfo) -> dict[str, Any]:
    """The site through events.queries, or a bare stand-in when it is unknown."""
    site = programme.site(db, slug)
    if site is None:
        return {"slug": slug, "name": slug, "address": "", "opening_hours": "", "timezone": tz.key}
    return site


# -- opening hours and power


def open_intervals(
    expression: str, start: dt.date, days: int, tz: ZoneInfo
) -> list[tuple[dt.datetime, dt.datetime]] | None:
    """Opening intervals of an OSM opening_hours expression over `days` days; None if none is given or it cannot be read."""
    if not expression.strip():
        return None
    try:
        import opening_hours

        hours = opening_hours.OpeningHours(expression)
        begin = dt.datetime.combine(start, dt.time())
        end = begin + dt.timedelta(days=days)
        out = []
        for a, b, state, _comment in hours.intervals(begin, end):
            if state == opening_hours.State.OPEN:
                out.append((a.replace(tzinfo=tz), min(b, end).replace(tzinfo=tz)))
        return out
    except Exception:  # unreadable hours must never break a screen: treat as unknown
        return None


def power(display: dict[str, Any], site: dict[str, Any], today: dt.date, tz: ZoneInfo) -> dict[str, Any]:
    """When the screen should be on: the opening hours (its own override, else its site's) widened by
    its margin. No hours at all, or `always_on`: on all the time (never dark by mistake)."""
    margin = dt.timedelta(minutes=display["margin_minutes"])
    source = "override" if display["hours_override"].strip() else "site"
    intervals = None
    if not display["always_on"]:
        intervals = open_intervals(display["hours_override"] or site.get("opening_hours", ""), today, DAYS, tz)
    if intervals is None:
        return {
            "always_on": True,
            "source": "always" if display["always_on"] else "none",
            "margin_minutes": display["margin_minutes"],
            "on": [],
        }
    merged: list[list[dt.datetime]] = []
    for a, b in intervals:
        a, b = a - margin, b + margin
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return {
        "always_on": False,
        "source": source,
        "margin_minutes": display["margin_minutes"],
        "on": [[a.isoformat(), b.isoformat()] for a, b in merged],
    }


def should_be_on(power_info: dict[str, Any], at: dt.datetime) -> bool:
    if power_info["always_on"]:
        return True
    return any(dt.datetime.fromisoformat(a) <= at < dt.datetime.fromisoformat(b) for a, b in power_info["on"])


def site_hours(site: dict[str, Any], today: dt.date, tz: ZoneInfo) -> list[dict[str, Any]]:
    """The site's opening hours day by day, as HH:MM pairs, for the screen to print."""
    intervals = open_intervals(site.get("opening_hours", ""), today, DAYS, tz) or []
    days = []
    for n in range(DAYS):
        day = today + dt.timedelta(days=n)
        days.append(
            {
                "date": day.isoformat(),
                "open": [
                    [a.strftime("%H:%M"), b.strftime("%H:%M") if b.date() == day else "24:00"]
                    for a, b in intervals
                    if a.date() == day
                ],
            }
        )
    return days


# -- the document


def _occurrence(o: dict[str, Any]) -> dict[str, Any]:
    return {
        "session": o["session"],
        "date": o["date"].isoformat(),
        "day": o["start"].date().isoformat(),
        "start": o["start"].isoformat(),
        "end": o["end"].isoformat(),
        "status": o["status"],
        "reason": o.get("reason") or "",
        "title": o["title"],
        "kind": o["kind"],
        "axis": o["axis"],
        "room": o.get("room") or "",
        "site": o["site"],
        "site_name": o["site_name"],
        "original_start": o["original_start"].isoformat() if o.get("original_start") else None,
    }


def announcements_for(
    db: sqlite_utils.Database, display: dict[str, Any], now: dt.datetime, until: dt.datetime
) -> list[dict[str, Any]]:
    """Announcements aimed at this screen that are valid some time between now and `until`,
    with their window: the screen shows each only inside it."""
    out = []
    for row in db.conn.execute("SELECT * FROM signage_announcements ORDER BY urgent DESC, priority DESC, id"):
        a = dict(row)
        if a["target"] == "sites" and display["site"] not in json.loads(a["sites"]):
            continue
        if a["target"] == "displays" and display["id"] not in json.loads(a["displays"]):
            continue
        if a["ends"] and dt.datetime.fromisoformat(a["ends"]) <= now:
            continue
        if a["starts"] and dt.datetime.fromisoformat(a["starts"]) >= until:
            continue
        out.append(
            {
                "id": a["id"],
                "title": a["title"],
                "body": a["body"],
                "image": f"/screens/assets/{quote(a['image'])}" if a["image"] else None,
                "image_alt": a.get("image_alt") or "",
                "starts": a["starts"],
                "ends": a["ends"],
                "priority": a["priority"],
                "urgent": bool(a["urgent"]),
            }
        )
    return out


def out_of_order(
    db: sqlite_utils.Database, site: str, today: dt.date, tz: ZoneInfo, language: str
) -> list[dict[str, Any]]:
    """What of the site's common base is out of order (commons), as urgent notices that the screen
    always shows: "Imprimante en panne depuis mardi". Negative ids keep them apart from staff's."""
    return [
        {
            "id": -item["id"],
            "title": commons.say(item, today, tz, language),
            "body": "",
            "image": None,
            "starts": None,
            "ends": None,
            "priority": 0,
            "urgent": True,
        }
        for item in commons.out_of_order(db, site, tz)
    ]


def _wall(db: sqlite_utils.Database, b: dict[str, Any], links: Links) -> dict[str, Any]:
    """A running board as a screen shows it: its newest published notes and a QR code to join."""
    notes = forums.public_notes(db, b["id"])
    latest = sorted(notes, key=lambda n: (n.get("published") or n.get("created") or 0, n["id"]))[-WALL_NOTES:]
    url = links.absolute(links.board.format(id=b["id"], code=b.get("code", "")))
    return {
        "id": b["id"],
        "title": b["title"],
        "prompt": b.get("prompt") or "",
        "notes": [{"id": n["id"], "text": n["text"], "theme": n.get("theme") or ""} for n in reversed(latest)],
        # Residents asked on /j for "le code affiché sur le mur" read the code and the short address here.
        "qr": qr(url, b["title"], code=b.get("code", ""), join=links.absolute("/j").split("://", 1)[-1]),
    }


def _city_wall(db: sqlite_utils.Database, f: dict[str, Any], site: str, links: Links) -> dict[str, Any]:
    """A forum across sites as a participating site's screen shows it: the newest notes of every
    site, each with its neighbourhood, and the QR code of this site's own board."""
    notes = forums.city_notes(db, f)
    latest = sorted(notes, key=lambda n: (n.get("published") or n.get("created") or 0, n["id"]))[-WALL_NOTES:]
    own = next(b for b in f["boards"] if b["site"] == site)
    url = links.absolute(links.board.format(id=own["id"], code=own["code"]))
    return {
        "id": own["id"],
        "forum": f["id"],
        "title": f["title"],
        "prompt": f["prompt"],
        "notes": [
            {"id": n["id"], "text": n["text"], "theme": n.get("theme") or "", "place": n["place"]}
            for n in reversed(latest)
        ],
        "qr": qr(url, f["title"]),
    }


def _running(db: sqlite_utils.Database, site: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The forums across sites a site takes part in while open, and its own other running boards."""
    city = forums.forums_running_at(db, site)
    in_city = {b["id"] for f in city for b in f["boards"]}
    return city, [b for b in forums.boards_running_at(db, site) if b["id"] not in in_city]


def _wall_channels(city: list[dict[str, Any]], running: list[dict[str, Any]]) -> list[str]:
    """A city-wide wall is made of its forum and every board of it; a site's wall of its board."""
    out = []
    for f in city:
        out += [forum_changes.forum_channel(f["id"]), *(forum_changes.board_channel(b["id"]) for b in f["boards"])]
    return out + [forum_changes.board_channel(b["id"]) for b in running]


def _sessions(
    db: sqlite_utils.Database, site: str, today: dt.date, last: dt.date, links: Links
) -> list[dict[str, Any]]:
    """The site's occurrences of the coming days; today's carry their feedback form's QR code."""
    sessions = []
    for o in programme.occurrences(db, today, last, site=site):
        item = _occurrence(o)
        if item["day"] == today.isoformat() and o["status"] != "cancelled":
            path = reports.feedback_path(o["session"], item["date"])
            item["feedback"] = qr(links.absolute(path), o["title"])
        sessions.append(item)
    return sessions


def _highlights(db: sqlite_utils.Database, site: str, today: dt.date) -> list[dict[str, Any]]:
    """Elsewhere in the city today: forum days and workshops first, then the earliest."""
    elsewhere = [o for o in programme.occurrences(db, today, today) if o["site"] != site and o["status"] != "cancelled"]
    elsewhere.sort(key=lambda o: (o["kind"] not in HIGHLIGHT_KINDS, o["start"]))
    return sorted((_occurrence(o) for o in elsewhere[:HIGHLIGHTS]), key=lambda o: o["start"])


def build(
    db: sqlite_utils.Database, display_id: int, *, tz: ZoneInfo, links: Links, now: dt.datetime, language: str = "fr"
) -> dict[str, Any] | None:
    """The snapshot of one screen, or None when it does not exist."""
    display = display_row(db, display_id)
    if display is None:
        return None
    site = site_of(db, display["site"], tz)
    tz = ZoneInfo(site.get("timezone") or tz.key)
    now = now.astimezone(tz)
    today = now.date()
    last = today + dt.timedelta(days=DAYS - 1)

    city, running = _running(db, display["site"])
    boards = [_city_wall(db, f, display["site"], links) for f in city] + [_wall(db, b, links) for b in running]
    follows = channels_of(display, _wall_channels(city, running))

    site_url = links.absolute(links.site.format(slug=quote(site["slug"])))
    snapshot = {
        "format": FORMAT,
        "display": {"id": display["id"], "name": display["name"], "orientation": display["orientation"]},
        "site": {
            "slug": site["slug"],
            "name": site["name"],
            "address": site.get("address", ""),
            "opening_hours": site.get("opening_hours", ""),
            "hours": site_hours(site, today, tz),
        },
        "timezone": tz.key,
        "language": language,
        "today": today.isoformat(),
        "days": [(today + dt.timedelta(days=n)).isoformat() for n in range(DAYS)],
        "sessions": _sessions(db, display["site"], today, last, links),
        "highlights": _highlights(db, display["site"], today),
        "announcements": announcements_for(
            db, display, now, dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tz)
        )
        + out_of_order(db, display["site"], today, tz, language),
        "boards": boards,
        "qr": {"site": qr(site_url, site["name"])},
        "layout": {
            "orientation": display["orientation"],
            "zones": ["clock", "now_next", "today", "announcements", "wall", "highlights", "qr"],
            "rotation_seconds": ROTATION_SECONDS,
            "feedback_minutes": 45,
        },
        "power": power(display, site, today, tz),
        "channels": follows,
        "version": newest_change(db, follows),
    }
    return snapshot


def channels_of(display: dict[str, Any], walls: list[str]) -> list[str]:
    """What a screen follows: its own channel, the whole programme (other sites' highlights), its
    site, and the walls it shows (the boards running there, every board of a city-wide forum)."""
    own = [
        changes.display_channel(display["id"]),
        events_changes.PROGRAMME,
        events_changes.site_channel(display["site"]),
    ]
    return own + walls


def newest_change(db: sqlite_utils.Database, channels: list[str]) -> int:
    """The seq of the newest change kept on these channels (0 if none): the snapshot's version."""
    sql = "SELECT max(seq) FROM changes WHERE channel = ?"  # one index lookup per channel
    return max((db.conn.execute(sql, (c,)).fetchone()[0] or 0 for c in channels), default=0)


def current_version(db: sqlite_utils.Database, display: dict[str, Any]) -> int:
    """The version a screen's next snapshot would have (for the staff page's "up to date")."""
    return newest_change(db, channels_of(display, _wall_channels(*_running(db, display["site"]))))


def etag(snapshot: dict[str, Any]) -> str:
    """A strong ETag over the content (the server time is left out: it changes every call)."""
    body = json.dumps(
        {k: v for k, v in snapshot.items() if k != "server_time"},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return f'"{snapshot["version"]}-{hashlib.sha256(body.encode()).hexdigest()[:20]}"'
