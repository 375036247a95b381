"""The embeddable programme: `/embed/programme?site=&axis=` for partners' websites.

A small page of the coming fortnight, meant for an `<iframe>`: it sets no cookie, loads nothing
but its own stylesheet, opens links in a new tab, and is the only route whose
Content-Security-Policy lets other sites frame it (`frame-ancestors` from the `embed_origins`
setting, any site when empty); every other answer keeps `frame-ancestors 'none'`.
"""

from __future__ import annotations

import datetime as dt
import html

from aiohttp import web

from events import queries
from events.api import filters
from events.pages import now, page
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.routing import PUBLIC, Routes
from quartier.templates import public_url
from quartier.typedefs import DB, SETTINGS
from quartier.web import CSP, without_cookies

routes = Routes()

DAYS = 14


def embed_csp(origins: list[str]) -> str:
    """The site-wide CSP with this route's frame-ancestors: the configured partners, or any site."""
    ancestors = " ".join(origins) if origins else "*"
    return CSP.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")


def snippet(request: web.Request, site: str | None = None, axis: str | None = None, title: str = "") -> str:
    """The HTML a partner pastes into their page."""
    query = "&".join(f"{k}={v}" for k, v in (("site", site), ("axis", axis)) if v)
    src = public_url(request, "/embed/programme" + (f"?{query}" if query else ""))
    return (
        f'<iframe src="{html.escape(src)}" title="{html.escape(title)}" width="100%" height="640" loading="lazy" '
        'referrerpolicy="no-referrer" style="border:0"></iframe>'
    )


@routes.get("/embed/programme", name="events_embed", access=PUBLIC)
async def embed(request: web.Request) -> web.Response:
    """The next two weeks of a site or an axis (or everything), for a partner's page."""
    without_cookies(request)
    f = filters(request)
    today = now(request).date()

    def read(db):
        site = queries.site(db, f["site"]) if f["site"] else None
        rows = queries.occurrences(db, today, today + dt.timedelta(days=DAYS - 1), site=f["site"], axis=f["axis"])
        return site, rows

    site, rows = await request.app[DB].read(read)
    if f["site"] and site is None:
        raise Problem(404, "not_found", N_("Ce lieu n'existe pas."))
    by_day: dict[dt.date, list] = {}
    for o in rows:
        by_day.setdefault(o["start"].date(), []).append(o)
    response = page(
        request,
        "events/embed.html",
        {
            "site": site,
            "axis": f["axis"],
            "days": sorted(by_day.items()),
            "today": today,
            "full": public_url(request, "/programme"),
        },
    )
    response.headers["Content-Security-Policy"] = embed_csp(request.app[SETTINGS].embed_origins)
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Vary"] = "Accept-Language"
    return response
