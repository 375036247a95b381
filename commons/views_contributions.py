"""The contributions pages (staff; a partner account sees and types its own) and the valuation table
(everyone on staff reads it, organizers edit it)."""

from __future__ import annotations

import time
from typing import Any

import sqlite_utils
from aiohttp import web

from commons import access, budget, changes, contributions, valuation
from commons.formats import formatters
from commons.forms import field_errors
from commons.valuation import ITEMS, KINDS, RULES, TYPED
from commons.views_budget import STAFF_OR_PARTNER, year_of
from events import partners, queries
from events.model import AXES
from events.pages import now, page
from quartier.bus import last_seq_in
from quartier.i18n import N_
from quartier.inputs import Fields, Invalid, path_id
from quartier.routing import ORGANIZER, PARTNER, Routes
from quartier.typedefs import DB
from quartier.web import redirect

routes = Routes()

WRITERS = ORGANIZER | PARTNER
FORM_FIELDS = ("partner", "kind", "item", "quantity", "date", "site", "axis", "note")


async def _context(request: web.Request, year: int) -> dict[str, Any]:
    organisation = access.own_organisation(request)
    today = now(request).date()

    def read(db: sqlite_utils.Database) -> dict[str, Any]:
        b = budget.build(db, year, today, organisation)
        registry = queries.partners(db)
        if organisation is not None:
            registry = [p for p in registry if p["id"] == organisation]
        return {"b": b, "partners": registry, "sites": queries.sites(db), "seq": last_seq_in(db)}

    data = await request.app[DB].read(read)
    return {
        **data,
        **formatters(request),
        "year": year,
        "KINDS": KINDS,
        "TYPED": TYPED,
        "ITEMS": ITEMS,
        "AXES": AXES,
        "channels": changes.CONTRIBUTIONS,
    }


@routes.get("/staff/contributions", name="commons_contributions", access=STAFF_OR_PARTNER)
async def contributions_page(request: web.Request) -> web.Response:
    year = year_of(request)
    ctx = await _context(request, year)
    form = {"date": now(request).date().isoformat() if now(request).date().year == year else f"{year}-01-01"}
    return page(request, "commons/contributions.html", {**ctx, "form": form, "errors": {}})


@routes.post("/staff/contributions", name="commons_contribution_add", access=WRITERS)
async def contribution_add(request: web.Request) -> web.Response:
    """A typed line; a partner account may only write for its own organisation (403 otherwise)."""
    year = year_of(request)
    posted = await request.post()
    form = {k: posted.get(k, "") for k in FORM_FIELDS} | {"year": str(year)}
    rows, slugs = await request.app[DB].read(_choices)
    form["partner"] = for_own_organisation(request, rows, form["partner"])
    try:
        line = contributions.clean(form, rows, slugs)
    except Invalid as e:
        ctx = await _context(request, year)
        return page(request, "commons/contributions.html", {**ctx, "form": form, "errors": field_errors(e)}, status=422)
    user = access.user_id(request)
    await request.app[DB].write(lambda tx: contributions.add(tx, line, user))
    return redirect(str(request.app.router["commons_contributions"].url_for().with_query(year=str(year))))


def _choices(db: sqlite_utils.Database) -> tuple[list[Any], set[str]]:
    rows = db.conn.execute("SELECT id, key, name, short_name FROM partners").fetchall()
    return rows, {s["slug"] for s in queries.sites(db)}


def for_own_organisation(request: web.Request, rows: list[Any], named: Any) -> Any:
    """The partner a line is for: a partner account's own organisation when it names none; 403 when it
    names another (or one that does not exist); organizers' choices are checked later (422)."""
    organisation = access.own_organisation(request)
    if organisation is None:
        return named
    own = next(r for r in rows if r["id"] == organisation)
    if named in (None, ""):
        return own["key"]
    access.check_writes_for(request, partners.find(rows, named) if isinstance(named, str) else None)
    return named


@routes.post("/staff/contributions/{id}/delete", name="commons_contribution_delete", access=WRITERS)
async def contribution_delete(request: web.Request) -> web.Response:
    id = path_id(request)
    organisation = access.own_organisation(request)
    await request.app[DB].write(lambda tx: contributions.delete(tx, id, organisation))
    return redirect(str(request.app.router["commons_contributions"].url_for().with_query(year=str(year_of(request)))))


# -- the valuation table


@routes.get("/staff/valuation", name="commons_valuation", access=STAFF_OR_PARTNER)
async def valuation_page(request: web.Request) -> web.Response:
    """Every staff account and every partner reads how contributions are valued; organizers set it."""
    rows = await request.app[DB].read(valuation.table)
    year = now(request).date().year
    return page(
        request,
        "commons/valuation.html",
        {"rules": rows, "year": year, "RULES": RULES, "errors": {}, **formatters(request)},
    )


@routes.post("/staff/valuation", name="commons_valuation_save", access=ORGANIZER)
async def valuation_save(request: web.Request) -> web.Response:
    """A rule's value for a year (added, or replacing that year's), with its source."""
    form = await request.post()
    raw = form.get("value")
    fields = Fields({**form, "value": raw.strip().replace(",", ".") if isinstance(raw, str) else raw})
    kind = fields.choice("kind", RULES, required=True)
    year = fields.integer("year", minimum=2000, maximum=2100, required=True)
    value = fields.number(
        "value", minimum=0, maximum=1_000_000, required=True, message=N_("Une valeur est un nombre d'euros positif.")
    )
    source = fields.text("source", max_length=600)

    def write(tx: Any) -> None:
        tx.execute(
            "INSERT INTO commons_valuation (kind, year, value, source, updated) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (kind, year) DO UPDATE SET value = excluded.value, source = excluded.source, "
            "updated = excluded.updated",
            (kind, year, value, source, int(time.time())),
        )
        tx.change(changes.CONTRIBUTIONS, changes.VALUATION_CHANGED, {"kind": kind, "year": year})

    await request.app[DB].write(write)
    return redirect(str(request.app.router["commons_valuation"].url_for()))
