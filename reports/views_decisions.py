"""The decision records (*relevé de décisions*): every published decision and action across forums,
filterable, with a CSV export, and actions marked done."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from events import queries as programme
from quartier.i18n import N_
from quartier.inputs import Fields, path_id, query
from quartier.routing import STAFF, Routes
from quartier.templates import render
from quartier.typedefs import DB
from quartier.web import redirect, safe_next
from reports import decisions
from reports.views_minutes import download, when

routes = Routes()


@routes.get("/forum/decisions", name="forum_decisions", access=STAFF)
async def decisions_page(request: web.Request) -> web.Response:
    filters = decision_filters(request)

    def read(d: Any) -> dict[str, Any]:
        return {"rows": decisions.records(d, **filters), "owners": decisions.owners(d), "sites": programme.sites(d)}

    data = await request.app[DB].read(read)
    return render(
        request,
        "reports/minutes/decisions.html",
        {
            **data,
            "filters": filters,
            "csv_query": {k: v for k, v in filters.items() if v},
            "when": lambda ts: when(request, ts)[:10],
            "axes": AXES,
        },
    )


AXES = (
    ("acces-libre", N_("Accès libre")),
    ("accompagnement", N_("Être accompagné")),
    ("droits", N_("Mes droits")),
    ("autre", N_("Autre chose")),
)


def decision_filters(request: web.Request) -> dict[str, Any]:
    """The records' filters from the query string: site, axis, status, owner and words."""
    q = query(request, status=422)  # the filters are a form
    return {
        "site": q.text("site", max_length=60) or None,
        "axis": q.choice("axis", [a for a, _label in AXES]),
        "status": q.choice(
            "status", decisions.STATUSES, message=N_("L'état vaut « à faire » ou « faite »."), code="invalid_field"
        ),
        "owner": q.text("owner", max_length=80) or None,
        "q": q.text("q", max_length=80) or None,
    }


@routes.get("/forum/decisions.csv", name="forum_decisions_csv", access=STAFF)
async def decisions_csv(request: web.Request) -> web.Response:
    filters = decision_filters(request)
    rows = await request.app[DB].read(lambda d: decisions.records(d, **filters))
    return download(decisions.to_csv(rows, lambda ts: when(request, ts)), "text/csv", "decisions.csv")


@routes.post("/forum/decisions/{id}/done", name="forum_decision_done", access=STAFF)
async def decision_done(request: web.Request) -> web.Response:
    note_id = path_id(request)
    form = await request.post()
    done = Fields(form).boolean("done")
    await request.app[DB].write(lambda tx: decisions.set_done_tx(tx, note_id, done))
    log = str(request.app.router["forum_decisions"].url_for())
    back = safe_next(str(form.get("back", "")), log)
    return redirect((back if back.startswith(log) else log) + f"#action-{note_id}")
