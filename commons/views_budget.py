"""The budget page (staff; a partner account sees its own part), the projection's assumptions and
each site's common-base needs (organizers), and the exports of both tables (ODS and CSV)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from aiohttp import web

from commons import access, budget, changes, exports
from commons.budget_charts import SHORT_AXES, axis_label, chart_set
from commons.formats import formatters
from commons.valuation import ITEMS, KINDS, NEEDS, RULES
from events import queries
from events.pages import now, page
from quartier.bus import last_seq_in
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields, path_id
from quartier.routing import ORGANIZER, PARTNER, STAFF, Routes
from quartier.typedefs import DB
from quartier.web import redirect

routes = Routes()

STAFF_OR_PARTNER = STAFF | PARTNER


def year_of(request: web.Request, default: int | None = None) -> int:
    """`?year=` (this year by default), or a 422 the user can read."""
    raw = request.query.get("year") or ""
    if not raw:
        return default or now(request).date().year
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise Problem(422, "invalid_year", N_("L'année s'écrit avec quatre chiffres, par exemple 2026."))
    return int(raw)


async def read_budget(request: web.Request, year: int) -> dict[str, Any]:
    """The budget of a year as the caller may see it: all of it, or a partner account's own part."""
    today = now(request).date()
    organisation = access.own_organisation(request)
    return await request.app[DB].read(lambda db: budget.build(db, year, today, organisation) | {"seq": last_seq_in(db)})


@routes.get("/staff/budget", name="commons_budget", access=STAFF_OR_PARTNER)
async def budget_page(request: web.Request) -> web.Response:
    year = year_of(request)
    b = await read_budget(request, year)
    sites = await request.app[DB].read(queries.sites)
    return page(
        request,
        "commons/budget.html",
        {
            "b": b,
            "year": year,
            "charts": chart_set(b),
            "KINDS": KINDS,
            "ITEMS": ITEMS,
            "RULES": RULES,
            "NEEDS": NEEDS,
            "SHORT_AXES": SHORT_AXES,
            "axis_name": axis_label,
            "sites": sites,
            "line_key": budget.line_key,
            "channels": changes.CONTRIBUTIONS,
            "seq": b["seq"],
            **formatters(request),
        },
    )


@routes.post("/staff/budget/growth", name="commons_budget_growth", access=ORGANIZER)
async def budget_growth(request: web.Request) -> web.Response:
    """The projection's growth rate of each line (% a year), for the year shown."""
    year = year_of(request)
    form = await request.post()
    fields = Fields({k: _decimal(v) for k, v in form.items() if k.startswith("rate:")})
    rates: dict[str, float] = {}
    for name in fields.data:
        rate = fields.number(name, minimum=-100, maximum=1000, message=_SAY_RATE, label=N_("taux de croissance"))
        if rate is not None:
            rates[name.removeprefix("rate:")[:200]] = rate

    def write(tx: Any) -> None:
        for line, rate in rates.items():
            tx.execute(
                "INSERT INTO commons_growth (base_year, line, rate) VALUES (?, ?, ?) "
                "ON CONFLICT (base_year, line) DO UPDATE SET rate = excluded.rate",
                (year, line, rate),
            )
        tx.change(changes.CONTRIBUTIONS, changes.BUDGET_CHANGED, {"year": year})

    await request.app[DB].write(write)
    return redirect(str(request.app.router["commons_budget"].url_for().with_query(year=str(year))))


@routes.post("/staff/budget/needs", name="commons_budget_need", access=ORGANIZER)
async def budget_need(request: web.Request) -> web.Response:
    """A line of what a site's common base needs in a year (a valuation rule's units, or euros)."""
    form = await request.post()
    fields = Fields({**{k: form.get(k) for k in ("site", "kind", "note")}, "quantity": _decimal(form.get("quantity"))})
    site = fields.text("site", max_length=60, required=True)
    kind = fields.choice("kind", NEEDS, required=True)
    quantity = fields.number("quantity", minimum=0.01, maximum=10_000_000, required=True)
    note = fields.text("note", max_length=300)

    def write(tx: Any) -> None:
        row = tx.execute("SELECT id FROM sites WHERE slug = ?", (site,)).fetchone()
        if row is None:
            raise Problem(422, "unknown_site", N_("Lieu inconnu : « {slug} »."), slug=site)
        tx.execute(
            "INSERT INTO commons_site_needs (site_id, kind, quantity, note) VALUES (?, ?, ?, ?)",
            (row["id"], kind, quantity, note),
        )
        tx.change(changes.CONTRIBUTIONS, changes.BUDGET_CHANGED, {})

    await request.app[DB].write(write)
    return redirect(str(request.app.router["commons_budget"].url_for().with_query(year=str(year_of(request)))))


@routes.post("/staff/budget/needs/{id}/delete", name="commons_budget_need_delete", access=ORGANIZER)
async def budget_need_delete(request: web.Request) -> web.Response:
    id = path_id(request)

    def write(tx: Any) -> None:
        if tx.execute("DELETE FROM commons_site_needs WHERE id = ?", (id,)).rowcount == 0:
            raise Problem(404, "not_found", N_("Cette ligne n'existe pas."))
        tx.change(changes.CONTRIBUTIONS, changes.BUDGET_CHANGED, {})

    await request.app[DB].write(write)
    return redirect(str(request.app.router["commons_budget"].url_for().with_query(year=str(year_of(request)))))


_SAY_RATE = N_("Un taux de croissance est un nombre entre -100 et 1000 (en % par an).")


def _decimal(value: Any) -> Any:
    """A form's French decimal comma ("2,5") as a point."""
    return value.strip().replace(",", ".") if isinstance(value, str) else value


# -- exports: the same figures as the page


async def _export(request: web.Request, make: Callable[[dict[str, Any]], bytes | str], stem: str) -> web.Response:
    """A table of the year's budget as a download: ODS (built off the event loop: odfpy takes most of a
    second for the demo's year; to_thread keeps the reader's language) or CSV."""
    year = year_of(request)
    b = await read_budget(request, year)
    made = await asyncio.to_thread(make, b)
    ods = isinstance(made, bytes)
    response = web.Response(
        body=made if isinstance(made, bytes) else made.encode("utf-8"),
        content_type=exports.ODS if ods else "text/csv",
        charset=None if ods else "utf-8",
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}-{year}.{"ods" if ods else "csv"}"'
    return response


@routes.get("/staff/budget.ods", name="commons_budget_ods", access=STAFF_OR_PARTNER)
async def budget_ods(request: web.Request) -> web.Response:
    return await _export(request, exports.budget_ods, "budget")


@routes.get("/staff/budget.csv", name="commons_budget_csv", access=STAFF_OR_PARTNER)
async def budget_csv(request: web.Request) -> web.Response:
    return await _export(request, exports.budget_csv, "budget")


@routes.get("/staff/contributions.ods", name="commons_contributions_ods", access=STAFF_OR_PARTNER)
async def contributions_ods(request: web.Request) -> web.Response:
    return await _export(request, exports.contributions_ods, "contributions")


@routes.get("/staff/contributions.csv", name="commons_contributions_csv", access=STAFF_OR_PARTNER)
async def contributions_csv(request: web.Request) -> web.Response:
    return await _export(request, exports.contributions_csv, "contributions")
