"""The decision records (*relevé de décisions*): every published decision and action across forums,
filterable, with a CSV export, and actions marked done."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from events import queries as programme
from quartier.api import path_int
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.routing import STAFF, Routes
from quartier.templates import render
from quartier.typedefs import DB
from quartier.web import redirect
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
    q = request.query
    status = q.get("status") or None
    if status not in (None, *decisions.STATUSES):
        raise Problem(422, "invalid_field", N_("L'état vaut « à faire » ou « faite »."))
    return {
        "site": q.get("site") or None,
        "axis": q.get("axis") or None,
        "status": status,
        "owner": (q.get("owner") or "").strip()[:80] or None,
        "q": (q.get("q") or "").strip()[:80] or None,
    }


@routes.get("/forum/decisions.csv", name="forum_decisions_csv", access=STAFF)
async def decisions_csv(request: web.Request) -> web.Response:
    filters = decision_filters(request)
    rows = await request.app[DB].read(lambda d: decisions.records(d, **filters))
    return download(decisions.to_csv(rows, lambda ts: when(request, ts)), "text/csv", "decisions.csv")


@routes.post("/forum/decisions/{id}/done", name="forum_decision_done", access=STAFF)
async def decision_done(request: web.Request) -> web.Response:
    note_id = path_int(request)
    form = await request.post()
    done = form.get("done") == "1"
    await request.app[DB].write(lambda tx: decisions.set_done_tx(tx, note_id, done))
    back = form.get("back")
    target = (
        str(back)
        if isinstance(back, str) and back.startswith("/forum/decisions") and "//" not in back
        else str(request.app.router["forum_decisions"].url_for())
    )
    return redirect(target + f"#action-{note_id}")
