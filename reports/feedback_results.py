"""Feedback results for staff: answers per occurrence, board, site or axis with SVG bars and the free
texts, the CSV export and its JSON twin, hiding an answer, choosing a board's or session's form.

  GET /staff/feedback?session=&date=&board=&site=&axis=&from=&to=   results, SVG bars, free texts
  GET /staff/feedback/export.csv?…      one row per answer
  GET /api/v1/feedback/results?…        feedback_summary as JSON
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from aiohttp import web
from babel.dates import format_date

from events import queries
from events.model import AXES
from forum import queries as forum_queries
from quartier import csvout, formats
from quartier.errors import Problem
from quartier.i18n import N_, ngettext
from quartier.i18n import gettext as _
from quartier.inputs import Fields, path_id, query
from quartier.routing import STAFF, Routes
from quartier.templates import render
from quartier.typedefs import DB, LANGUAGE
from quartier.web import redirect, safe_next
from reports import feedback_figures
from reports import feedback_store as store
from reports.feedback import FORMS
from reports.feedback_svg import share_bar
from reports.forms import FormSet, label

routes = Routes()


def _filters(request: web.Request) -> dict[str, Any]:
    """The results' filters from the query string: session, date, board, site, axis, from, to."""
    q = query(request)
    found = {
        "session_id": q.id("session"),
        "board_id": q.id("board"),
        "date": q.date("date"),
        "start": q.date("from"),
        "end": q.date("to"),
        "site": q.text("site", max_length=60) or None,
        "axis": q.choice("axis", AXES, code="invalid_axis"),
    }
    return {k: v for k, v in found.items() if v is not None}


def _query_of(filters: dict[str, Any]) -> dict[str, str]:
    names = {"session_id": "session", "board_id": "board", "start": "from", "end": "to"}
    return {names.get(k, k): (v.isoformat() if isinstance(v, dt.date) else str(v)) for k, v in filters.items()}


def _results(d: Any, filters: dict[str, Any], forms: FormSet) -> dict[str, Any]:
    """The answers matching the filters, summarised, with the titles of what they are about."""
    targets = feedback_figures.answered_targets(d, **filters)
    titles: dict[str, str] = {}
    sessions: dict[int, dict[str, Any] | None] = {}
    for t in targets:
        if t["kind"] == "board":
            board = forum_queries.board(d, t["board_id"])
            titles[t["target"]] = board["title"] if board else _("Tableau {id}").format(id=t["board_id"])
        else:
            if t["session_id"] not in sessions:
                sessions[t["session_id"]] = queries.session(d, t["session_id"])
            s = sessions[t["session_id"]]
            titles[t["target"]] = s["title"] if s else _("Séance {id}").format(id=t["session_id"])
    scope_session = queries.session(d, filters["session_id"]) if "session_id" in filters else None
    scope_board = forum_queries.board(d, filters["board_id"]) if "board_id" in filters else None
    assigned = None
    if scope_board is not None:
        assigned = store.template_of(d, "board", filters["board_id"])
    elif scope_session is not None:
        assigned = store.template_of(d, "session", filters["session_id"])
    return {
        "summary": feedback_figures.summarize(feedback_figures.answers(d, **filters), forms, include_hidden=True),
        "targets": targets,
        "titles": titles,
        "sites": queries.sites(d),
        "scope_session": scope_session,
        "scope_board": scope_board,
        "assigned": assigned,
    }


def question_line(q: dict[str, Any]) -> str:
    """What is under a question's title, as one sentence with its plural and figures in the
    reader's language: "2 083 réponses, note moyenne 3,85 sur 5" (issue 23: "moyenne sur 19")."""
    n, count = q["answered"], formats.number(q["answered"])
    if q["type"] == "scale" and q.get("mean") is not None:
        scale = max((c["value"] for c in q["choices"] if c.get("value") is not None), default=len(q["choices"]))
        return ngettext(
            "{count} réponse, note moyenne {mean} sur {max}", "{count} réponses, note moyenne {mean} sur {max}", n
        ).format(count=count, mean=formats.number(q["mean"]), max=scale)
    if q["type"] == "multiple":
        return ngettext(
            "{count} personne a répondu (plusieurs choix possibles)",
            "{count} personnes ont répondu (plusieurs choix possibles)",
            n,
        ).format(count=count)
    return ngettext("{count} réponse", "{count} réponses", n).format(count=count)


@routes.get("/staff/feedback", name="feedback_results", access=STAFF)
async def results_page(request: web.Request) -> web.Response:
    filters = _filters(request)
    forms: FormSet = request.app[FORMS]
    data = await request.app[DB].read(lambda d: _results(d, filters, forms))
    language = request[LANGUAGE]
    return render(
        request,
        "reports/feedback/results.html",
        {
            **data,
            "filters": filters,
            "query": _query_of(filters),
            "question_line": question_line,
            "share_bar": share_bar,
            "axes": AXES,
            "forms": forms,
            "label": label,
            "format_date": lambda d: format_date(
                dt.date.fromisoformat(d) if isinstance(d, str) else d, "medium", locale=language
            ),
        },
    )


@routes.get("/staff/feedback/export.csv", name="feedback_export", access=STAFF)
async def export_csv(request: web.Request) -> web.Response:
    filters = _filters(request)
    rows = await request.app[DB].read(lambda d: feedback_figures.answers(d, **filters))
    header, lines = feedback_figures.csv_rows(rows, request.app[FORMS])
    buffer = io.StringIO()
    writer = csvout.Writer(buffer)
    writer.writerow(header)
    writer.writerows(lines)
    return web.Response(
        text=buffer.getvalue(),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="avis-habitants.csv"'},
    )


@routes.get("/api/v1/feedback/results", name="feedback_api_results", access=STAFF)
async def api_results(request: web.Request) -> web.Response:
    filters = _filters(request)
    forms = request.app[FORMS]
    summary = await request.app[DB].read(lambda d: feedback_figures.feedback_summary(d, **filters, forms=forms))
    return web.json_response({"filters": _query_of(filters), **summary})


@routes.post("/staff/feedback/answers/{id}/hide", name="feedback_hide", access=STAFF)
async def hide_answer(request: web.Request) -> web.Response:
    answer_id = path_id(request)
    form = await request.post()
    hidden = Fields(form).boolean("hidden", True)
    await request.app[DB].write(lambda tx: store.set_hidden(tx, answer_id, hidden))
    return redirect(safe_next(str(form.get("next", "")), "/staff/feedback") + f"#reponse-{answer_id}")


@routes.post("/staff/feedback/assign", name="feedback_assign", access=STAFF)
async def assign_template(request: web.Request) -> web.Response:
    form = await request.post()
    f = Fields(form)
    kind = str(f.choice("kind", ("session", "board"), required=True))
    ref = f.id("ref", required=True) or 0
    template = f.text("template", max_length=40)
    if template not in request.app[FORMS]:
        raise Problem(422, "unknown_template", N_("Questionnaire inconnu : {name}."), name=template)
    await request.app[DB].write(lambda tx: store.assign(tx, kind, ref, template))
    return redirect(safe_next(str(form.get("next", "")), "/staff/feedback"))
