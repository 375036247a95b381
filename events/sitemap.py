"""`/sitemap.xml` and `/robots.txt`: what search engines may index (the public programme and the
open data) and what they should leave alone (staff pages, the API, forms, screens, phones' pages)."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET

from aiohttp import web

from events import queries
from quartier import xmltext
from quartier.conditional import conditional
from quartier.routing import PUBLIC, Routes
from quartier.templates import public_url
from quartier.typedefs import DB, SETTINGS

routes = Routes()

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
# Pages for people on the spot or for staff, not for search results.
DISALLOW = ["/staff", "/login", "/api/", "/ws", "/screens/", "/f/", "/j/", "/forum/boards/", "/embed/", "/qr."]


@routes.get("/robots.txt", name="events_robots", access=PUBLIC)
async def robots(request: web.Request) -> web.Response:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOW), "Allow: /"]
    lines.append(f"Sitemap: {public_url(request, '/sitemap.xml')}")
    return web.Response(text="\n".join(lines) + "\n", content_type="text/plain", charset="utf-8")


@routes.get("/sitemap.xml", name="events_sitemap", access=PUBLIC)
async def sitemap(request: web.Request) -> web.Response:
    """Home, the week, the open data, every site and every session, each with its last change."""

    def read(db):
        return queries.sites(db), queries.sessions(db, with_exceptions=True), queries.last_changed(db)

    sites, sessions, changed = await request.app[DB].read(read)
    tz = request.app[SETTINGS].tz

    def day(timestamp: float | None) -> str | None:
        return dt.datetime.fromtimestamp(timestamp, tz).date().isoformat() if timestamp else None

    entries: list[tuple[str, str | None]] = [
        ("/", day(changed)),
        ("/programme", day(changed)),
        ("/changes", day(changed)),
        ("/open-data", day(changed)),
    ]
    for site in sites:
        newest = max([site["updated"]] + [s["updated"] for s in sessions if s["site"] == site["slug"]])
        entries.append((f"/sites/{site['slug']}", day(newest)))
    for s in sessions:
        newest = max([s["updated"]] + [e["updated"] for e in s["exceptions"].values()])
        entries.append((f"/sessions/{s['id']}", day(newest)))
    ET.register_namespace("", SITEMAP)
    urlset = ET.Element(f"{{{SITEMAP}}}urlset")
    for path, lastmod in entries:
        url = ET.SubElement(urlset, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = public_url(request, path)
        if lastmod:
            ET.SubElement(url, f"{{{SITEMAP}}}lastmod").text = lastmod
    body = '<?xml version="1.0" encoding="UTF-8"?>\n' + xmltext.clean(ET.tostring(urlset, encoding="unicode"))
    return conditional(request, body.encode(), "application/xml", last_modified=changed, max_age=3600)
