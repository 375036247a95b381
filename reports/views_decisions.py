"""The one decision log (*relevé de décisions*): every decision and action of forums and of the
partners' meetings, filterable, with CSV, an Atom feed and the API, and actions marked done."""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.etree import ElementTree as ET

from aiohttp import web

from events import queries as programme
from quartier import xmltext
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.inputs import Fields, path_id, query
from quartier.routing import PUBLIC, STAFF, Routes
from quartier.templates import public_url, render
from quartier.typedefs import DB
from quartier.web import redirect, safe_next
from reports import decision_log, decisions
from reports.views_minutes import download, when

routes = Routes()
ATOM = "http://www.w3.org/2005/Atom"


@routes.get("/forum/decisions", name="forum_decisions", access=STAFF)
async def decisions_page(request: web.Request) -> web.Response:
    filters = decision_filters(request)

    def read(d: Any) -> dict[str, Any]:
        return {
            "rows": decision_log.log(d, filters),
            "owners": decisions.owners(d),
            "sites": programme.sites(d),
            "partners": programme.partners(d),
        }

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


def decision_filters(request: web.Request, status: int = 422) -> dict[str, Any]:
    """The log's filters from the query string: source, site, axis, partner, state, owner and words."""
    q = query(request, status=status)  # the filters are a form
    return {
        "source": q.choice(
            "source", decision_log.SOURCES, message=N_("La source vaut « forum » ou « meeting »."), code="invalid_field"
        ),
        "site": q.text("site", max_length=60) or None,
        "axis": q.choice("axis", [a for a, _label in AXES]),
        "partner": q.text("partner", max_length=60) or None,
        "status": q.choice(
            "status", decisions.STATUSES, message=N_("L'état vaut « à faire » ou « faite »."), code="invalid_field"
        ),
        "owner": q.text("owner", max_length=80) or None,
        "q": q.text("q", max_length=80) or None,
    }


@routes.get("/forum/decisions.csv", name="forum_decisions_csv", access=STAFF)
async def decisions_csv(request: web.Request) -> web.Response:
    filters = decision_filters(request)
    rows = await request.app[DB].read(lambda d: decision_log.log(d, filters))
    return download(decision_log.to_csv(rows, lambda ts: when(request, ts)), "text/csv", "decisions.csv")


@routes.get("/forum/decisions.atom", name="forum_decisions_atom", access=PUBLIC)
async def decisions_atom(request: web.Request) -> web.Response:
    """The log as an Atom feed for partners' readers: published forum records, meetings once held."""
    filters = decision_filters(request, status=400)
    rows = await request.app[DB].read(lambda d: decision_log.log(d, filters, held_only=True))
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    self_url = public_url(request, str(request.app.router["forum_decisions_atom"].url_for()))
    ET.SubElement(feed, f"{{{ATOM}}}id").text = self_url
    ET.SubElement(feed, f"{{{ATOM}}}title").text = _("Relevé de décisions")
    newest = max((r["created"] for r in rows), default=0.0)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = dt.datetime.fromtimestamp(newest, dt.UTC).isoformat(
        timespec="seconds"
    )
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "Quartier"
    for r in rows[:200]:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"{self_url}#{r['key']}"
        kind = _("Décision") if r["kind"] == "decision" else _("Action")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = _("{kind} : {text}").format(kind=kind, text=r["text"])
        updated = dt.datetime.fromtimestamp(r["done"] or r["created"], dt.UTC)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = updated.isoformat(timespec="seconds")
        summary = r["origin"] + (f" · {r['who']}" if r["who"] else "") + (f" · {r['due']}" if r["due"] else "")
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = summary
    body = '<?xml version="1.0" encoding="utf-8"?>\n' + xmltext.clean(ET.tostring(feed, encoding="unicode"))
    return web.Response(body=body.encode(), content_type="application/atom+xml", charset="utf-8")


@routes.post("/forum/decisions/{id}/done", name="forum_decision_done", access=STAFF)
async def decision_done(request: web.Request) -> web.Response:
    note_id = path_id(request)
    form = await request.post()
    done = Fields(form).boolean("done")
    await request.app[DB].write(lambda tx: decisions.set_done_tx(tx, note_id, done))
    log = str(request.app.router["forum_decisions"].url_for())
    back = safe_next(str(form.get("back", "")), log)
    return redirect((back if back.startswith(log) else log) + f"#action-{note_id}")
