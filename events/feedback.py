"""Feedback pages and API: the resident's form behind each QR code, and the staff results.

Public, no account:
  GET/POST /f/{session}/{YYYY-MM-DD}    an occurrence's form (plain HTML form, no JavaScript needed)
  GET/POST /f/b/{board}                 a forum board's form
  POST /api/v1/sessions/{id}/feedback   {"date": "YYYY-MM-DD", "answers": {...}}
  POST /api/v1/boards/{id}/feedback     {"answers": {...}}
Staff:
  GET /staff/feedback?session=&date=&board=&site=&axis=&from=&to=   results, SVG bars, free texts
  GET /staff/feedback/export.csv?…      one row per answer
  GET /api/v1/feedback/results?…        feedback_summary as JSON
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from typing import Any

import jinja2
from aiohttp import web
from babel.dates import format_date, format_time

from events import feedback_store as store
from events import forms as forms_module
from events.feedback_svg import bars_svg, face_svg
from events.forms import Form, FormSet, label
from quartier.api import path_int, read_json
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.routing import PUBLIC, STAFF, Routes
from quartier.templates import public_url, render
from quartier.typedefs import (
    CHANNEL_ACCESS,
    DB,
    DEVICE,
    LANGUAGE,
    LIMITER,
    NEW_DEVICE,
    SETTINGS,
    STAFF_LINKS,
    TEMPLATES,
)
from quartier.web import redirect, safe_next

routes = Routes()

FORMS = web.AppKey("feedback_forms", FormSet)

# Rate limits (per minute, burst), like the forum's notes: per device first; a browser without
# the cookie yet is limited by address, and every address gets a generous ceiling (a centre's
# Wi-Fi puts a whole group behind one address).
DEVICE_LIMIT = (6, 10)
COOKIELESS_LIMIT = (3, 5)
ADDRESS_LIMIT = (120, 200)

DATE_RE = r"{date:\d{4}-\d{2}-\d{2}}"


def setup(app: web.Application) -> None:
    """Load the form templates (refusing invalid ones with their line), add routes and the staff link."""
    settings = app[SETTINGS]
    folders = [forms_module.shipped_dir()]
    if settings.feedback_forms_dir:
        folders.append(settings.config_dir / settings.feedback_forms_dir)
    forms = forms_module.load_dir(*folders)
    forms_module.activate(forms)
    app[FORMS] = forms
    app[CHANNEL_ACCESS][store.CHANNEL] = STAFF
    app[STAFF_LINKS].append(("feedback_results", N_("Avis des habitants")))
    app[TEMPLATES].env.globals["feedback_link"] = feedback_link
    routes.add_to(app)


# -- helpers


@jinja2.pass_context
def feedback_link(
    context: Any, session_id: int, chosen: dict[str, Any] | None, coming: list[dict[str, Any]] | None = None
) -> dict[str, str] | None:
    """For the session page: the form of the chosen occurrence, else of today's, while it can be answered."""
    request: web.Request = context["request"]
    now = _now(request)
    if chosen:
        candidates = [chosen]
    else:
        candidates = [o for o in coming or [] if o["start"].date() == now.date()]
    for occ in candidates:
        closes = store._closing(occ["start"].date(), request.app[SETTINGS].feedback_open_days, now.tzinfo)
        if occ["status"] != "cancelled" and occ["start"].date() <= now.date() and now < closes:
            path = str(
                request.app.router["feedback_form"].url_for(session=str(session_id), date=occ["date"].isoformat())
            )
            return {"path": path, "url": public_url(request, path)}
    return None


def _now(request: web.Request) -> dt.datetime:
    return dt.datetime.now(request.app[SETTINGS].tz)


def _day(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise Problem(404, "not_found", N_("Cette page n'existe pas.")) from None


async def _occurrence(request: web.Request, session_id: int, day: dt.date) -> store.Target:
    open_days = request.app[SETTINGS].feedback_open_days
    target = await request.app[DB].read(lambda d: store.occurrence_target(d, session_id, day, open_days))
    if target is None:
        raise Problem(404, "no_occurrence", N_("Aucune séance n'a lieu à cette date."))
    return target


async def _board(request: web.Request, board_id: int) -> store.Target:
    settings = request.app[SETTINGS]
    target = await request.app[DB].read(
        lambda d: store.board_target(d, board_id, settings.feedback_open_days, settings.tz)
    )
    if target is None:
        raise Problem(404, "not_found", N_("Ce tableau n'existe pas."))
    return target


def _limit(request: web.Request) -> None:
    limiter = request.app[LIMITER]
    if request[NEW_DEVICE]:
        device, per_device = f"feedback-nocookie:{request.remote}", COOKIELESS_LIMIT
    else:
        device, per_device = f"feedback-device:{request[DEVICE]}", DEVICE_LIMIT
    limiter.enforce(
        [(device, *per_device), (f"feedback-address:{request.remote}", *ADDRESS_LIMIT)],
        N_("Beaucoup d'envois en peu de temps : attendez {seconds} secondes, puis envoyez à nouveau."),
    )


def _check_open(request: web.Request, target: store.Target) -> None:
    state = target.state(_now(request))
    if state == "cancelled":
        raise Problem(409, "cancelled", N_("Cette séance a été annulée : il n'y a pas de questionnaire."))
    if state == "not_open":
        raise Problem(
            409,
            "not_open",
            N_("Le questionnaire ouvrira au début de la séance, le {when}."),
            when=_when(request, target.opens),
        )
    if state == "closed":
        raise Problem(
            409,
            "closed",
            N_("Le questionnaire est fermé depuis le {when}. Merci de votre intérêt !"),
            when=_when(request, target.closes),
        )


def _when(request: web.Request, moment: dt.datetime) -> str:
    language = request.get(LANGUAGE, "fr")
    moment = moment.astimezone(request.app[SETTINGS].tz)
    return _("{date} à {time}").format(
        date=format_date(moment.date(), "full", locale=language),
        time=format_time(moment.time(), "short", locale=language),
    )


def _form_values(form: Form, data: Any) -> dict[str, Any]:
    """The answers of a posted HTML form (fields q_{id}; checkboxes repeat their name)."""
    out: dict[str, Any] = {}
    for q in form.questions:
        name = f"q_{q.id}"
        if q.type == "multiple":
            out[q.id] = [str(v) for v in data.getall(name, [])]
        else:
            value = data.get(name)
            out[q.id] = str(value) if value is not None else None
    return out


async def _record(request: web.Request, target: store.Target, raw: dict[str, Any]) -> dict[str, Any]:
    """Check the window, the limits and the answers, then record; Problem 422 names the first bad question."""
    _check_open(request, target)
    _limit(request)
    form = request.app[FORMS].get(target.template)
    answers, errors = form.clean(raw, target.axis)
    if errors:
        qid, message = next(iter(errors.items()))
        q = form.question(qid)
        raise Problem(
            422,
            "invalid_answer",
            N_("Question « {question} » : {problem}"),
            question=label(q.label, request[LANGUAGE]) if q else qid,
            problem=_(message),
        )
    device = request[DEVICE]
    return await request.app[DB].write(lambda tx: store.submit(tx, target, device, answers))


# -- the resident's form


@routes.get(r"/f/{session:\d+}/" + DATE_RE, name="feedback_form", access=PUBLIC)
async def occurrence_form(request: web.Request) -> web.Response:
    target = await _occurrence(request, path_int(request, "session"), _day(request.match_info["date"]))
    return await _form_page(request, target)


@routes.post(r"/f/{session:\d+}/" + DATE_RE, name="feedback_submit", access=PUBLIC)
async def occurrence_submit(request: web.Request) -> web.Response:
    target = await _occurrence(request, path_int(request, "session"), _day(request.match_info["date"]))
    return await _form_submit(request, target)


@routes.get(r"/f/b/{board:\d+}", name="feedback_board_form", access=PUBLIC)
async def board_form(request: web.Request) -> web.Response:
    return await _form_page(request, await _board(request, path_int(request, "board")))


@routes.post(r"/f/b/{board:\d+}", name="feedback_board_submit", access=PUBLIC)
async def board_submit(request: web.Request) -> web.Response:
    return await _form_submit(request, await _board(request, path_int(request, "board")))


async def _form_page(
    request: web.Request,
    target: store.Target,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    now = _now(request)
    state = target.state(now)
    form = request.app[FORMS].get(target.template)
    device = request[DEVICE]
    mine = (
        None
        if request[NEW_DEVICE]
        else await request.app[DB].read(lambda d: store.existing_answer(d, target.key, device))
    )
    editable = bool(mine) and time.time() <= store.editable_until(mine)
    if values is None:
        values = mine["answers"] if mine and editable else {}
    until = None
    if mine:
        until = dt.datetime.fromtimestamp(store.editable_until(mine), request.app[SETTINGS].tz)
    return render(
        request,
        "events/feedback/form.html",
        {
            "target": target,
            "form": form,
            "state": state,
            "mine": mine,
            "editable": editable,
            "until": until,
            "values": values,
            "errors": errors or {},
            "thanks": request.query.get("merci") == "1" and mine is not None,
            "opens": _when(request, target.opens),
            "closes": _when(request, target.closes),
            "when": _occurrence_when(request, target),
            "label": label,
            "face_svg": face_svg,
            "format_time": lambda t: format_time(t, "short", locale=request[LANGUAGE]),
        },
        status=status,
    )


def _occurrence_when(request: web.Request, target: store.Target) -> str:
    language = request[LANGUAGE]
    moment = target.start or target.opens
    return format_date(moment.date(), "full", locale=language)


async def _form_submit(request: web.Request, target: store.Target) -> web.Response:
    form = request.app[FORMS].get(target.template)
    raw = _form_values(form, await request.post())
    _check_open(request, target)
    answers, errors = form.clean(raw, target.axis)
    if errors:
        return await _form_page(request, target, values=raw, errors=errors, status=422)
    _limit(request)
    device = request[DEVICE]
    await request.app[DB].write(lambda tx: store.submit(tx, target, device, answers))
    router = request.app.router
    if target.kind == "board":
        url = router["feedback_board_form"].url_for(board=str(target.board_id))
    else:
        url = router["feedback_form"].url_for(session=str(target.session_id), date=target.date.isoformat())
    return redirect(str(url.with_query(merci="1")) + "#merci")


# -- the API


def _api_answer(request: web.Request, result: dict[str, Any]) -> web.Response:
    until = dt.datetime.fromtimestamp(result["editable_until"], request.app[SETTINGS].tz)
    body = {"id": result["id"], "status": result["status"], "editable_until": until.isoformat(timespec="seconds")}
    return web.json_response(body, status=201 if result["status"] == "created" else 200)


def _answers_of(data: dict[str, Any]) -> dict[str, Any]:
    answers = data.get("answers")
    if not isinstance(answers, dict):
        raise Problem(422, "missing_field", N_("Le champ « {field} » est obligatoire."), field="answers")
    return answers


@routes.post("/api/v1/sessions/{id}/feedback", name="feedback_api_session", access=PUBLIC)
async def api_session_feedback(request: web.Request) -> web.Response:
    session_id = path_int(request)
    data = await read_json(request)
    raw_date = data.get("date")
    try:
        day = dt.date.fromisoformat(raw_date) if isinstance(raw_date, str) else None
    except ValueError:
        day = None
    if day is None:
        raise Problem(422, "invalid_date", N_("Le champ « date » est la date locale de la séance (AAAA-MM-JJ)."))
    target = await _occurrence(request, session_id, day)
    return _api_answer(request, await _record(request, target, _answers_of(data)))


@routes.post("/api/v1/boards/{id}/feedback", name="feedback_api_board", access=PUBLIC)
async def api_board_feedback(request: web.Request) -> web.Response:
    target = await _board(request, path_int(request))
    data = await read_json(request)
    return _api_answer(request, await _record(request, target, _answers_of(data)))


# -- staff results


def _filters(request: web.Request) -> dict[str, Any]:
    """The results' filters from the query string: session, date, board, site, axis, from, to."""
    from events.model import AXES

    q = request.query
    out: dict[str, Any] = {}
    for name in ("session", "board"):
        if q.get(name):
            if not q[name].isdigit():
                raise Problem(400, "invalid_field", N_("Le champ « {field} » doit être un nombre entier."), field=name)
            out["session_id" if name == "session" else "board_id"] = int(q[name])
    for name, key in (("date", "date"), ("from", "start"), ("to", "end")):
        if q.get(name):
            try:
                out[key] = dt.date.fromisoformat(q[name])
            except ValueError:
                raise Problem(400, "invalid_date", N_("Dates attendues au format AAAA-MM-JJ.")) from None
    if q.get("site"):
        out["site"] = q["site"]
    if q.get("axis"):
        if q["axis"] not in AXES:
            raise Problem(
                400, "invalid_axis", N_("Axe inconnu ; valeurs possibles : {values}."), values=", ".join(AXES)
            )
        out["axis"] = q["axis"]
    return out


def _query_of(filters: dict[str, Any]) -> dict[str, str]:
    names = {"session_id": "session", "board_id": "board", "start": "from", "end": "to"}
    return {names.get(k, k): (v.isoformat() if isinstance(v, dt.date) else str(v)) for k, v in filters.items()}


@routes.get("/staff/feedback", name="feedback_results", access=STAFF)
async def results_page(request: web.Request) -> web.Response:
    from events import queries
    from events.model import AXES

    filters = _filters(request)
    forms: FormSet = request.app[FORMS]

    def read(d: Any) -> dict[str, Any]:
        rows = store.answers(d, **filters)
        targets = store.answered_targets(d, **filters)
        titles: dict[str, str] = {}
        sessions: dict[int, dict[str, Any] | None] = {}
        for t in targets:
            if t["kind"] == "board":
                board = store.board_source(d, t["board_id"])
                titles[t["target"]] = board["title"] if board else _("Tableau {id}").format(id=t["board_id"])
            else:
                if t["session_id"] not in sessions:
                    sessions[t["session_id"]] = queries.session(d, t["session_id"])
                s = sessions[t["session_id"]]
                titles[t["target"]] = s["title"] if s else _("Séance {id}").format(id=t["session_id"])
        scope_session = queries.session(d, filters["session_id"]) if "session_id" in filters else None
        scope_board = store.board_source(d, filters["board_id"]) if "board_id" in filters else None
        assigned = None
        if scope_board is not None:
            assigned = store.template_of(d, "board", filters["board_id"])
        elif scope_session is not None:
            assigned = store.template_of(d, "session", filters["session_id"])
        return {
            "summary": store.summarize(rows, forms, include_hidden=True),
            "targets": targets,
            "titles": titles,
            "sites": queries.sites(d),
            "scope_session": scope_session,
            "scope_board": scope_board,
            "assigned": assigned,
        }

    data = await request.app[DB].read(read)
    language = request[LANGUAGE]
    charts = {}
    for q in data["summary"]["questions"]:
        if q["type"] != "text" and q["answered"]:
            items = [(label(c["label"], language), c["count"]) for c in q["choices"]]
            charts[q["id"]] = bars_svg(items, title=label(q["label"], language), total=q["answered"])
    return render(
        request,
        "events/feedback/results.html",
        {
            **data,
            "filters": filters,
            "query": _query_of(filters),
            "charts": charts,
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
    rows = await request.app[DB].read(lambda d: store.answers(d, **filters))
    header, lines = store.csv_rows(rows, request.app[FORMS])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
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
    summary = await request.app[DB].read(lambda d: store.feedback_summary(d, **filters, forms=forms))
    return web.json_response({"filters": _query_of(filters), **summary})


@routes.post("/staff/feedback/answers/{id}/hide", name="feedback_hide", access=STAFF)
async def hide_answer(request: web.Request) -> web.Response:
    answer_id = path_int(request)
    form = await request.post()
    hidden = form.get("hidden", "1") == "1"
    await request.app[DB].write(lambda tx: store.set_hidden(tx, answer_id, hidden))
    return redirect(safe_next(str(form.get("next", "")), "/staff/feedback") + f"#reponse-{answer_id}")


@routes.post("/staff/feedback/assign", name="feedback_assign", access=STAFF)
async def assign_template(request: web.Request) -> web.Response:
    form = await request.post()
    kind = str(form.get("kind", ""))
    ref = str(form.get("ref", ""))
    template = str(form.get("template", ""))
    if kind not in ("session", "board") or not ref.isdigit():
        raise Problem(400, "invalid", N_("La demande est invalide."))
    if template not in request.app[FORMS]:
        raise Problem(422, "unknown_template", N_("Questionnaire inconnu : {name}."), name=template)
    await request.app[DB].write(lambda tx: store.assign(tx, kind, int(ref), template))
    return redirect(safe_next(str(form.get("next", "")), "/staff/feedback"))
