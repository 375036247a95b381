"""Feedback forms and their API: the resident's form behind each QR code (results: feedback_results).

Public, no account:
  GET/POST /f/{session}/{YYYY-MM-DD}    an occurrence's form (plain HTML form, no JavaScript needed)
  GET/POST /f/b/{board}                 a forum board's form
  POST /api/v1/sessions/{id}/feedback   {"date": "YYYY-MM-DD", "answers": {...}}
  POST /api/v1/boards/{id}/feedback     {"answers": {...}}
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from aiohttp import web
from babel.dates import format_date, format_time

from quartier import devices
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.inputs import Fields, path_date, path_id, read_json
from quartier.routing import PUBLIC, STAFF, Routes
from quartier.templates import render
from quartier.typedefs import (
    CHANNEL_ACCESS,
    DB,
    DEVICE,
    LANGUAGE,
    LIMITER,
    NEW_DEVICE,
    SETTINGS,
    STAFF_LINKS,
)
from quartier.web import redirect
from reports import changes
from reports import feedback_store as store
from reports import forms as forms_module
from reports.feedback_svg import face_svg
from reports.forms import Form, FormSet, label

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
    app[CHANNEL_ACCESS][changes.FEEDBACK] = STAFF  # new answers: staff pages only
    app[STAFF_LINKS].append(("feedback_results", N_("Avis des habitants")))
    routes.add_to(app)


# -- helpers


def _now(request: web.Request) -> dt.datetime:
    return dt.datetime.now(request.app[SETTINGS].tz)


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


async def _limit(request: web.Request) -> None:
    limiter = request.app[LIMITER]
    if request[NEW_DEVICE]:
        device, per_device = f"feedback-nocookie:{request.remote}", COOKIELESS_LIMIT
    else:
        device, per_device = f"feedback-device:{request[DEVICE]}", DEVICE_LIMIT
    await limiter.enforce(
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
    await _limit(request)
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
    device = devices.require(request)  # one answer per device: a device the server issued
    return await request.app[DB].write(lambda tx: store.submit(tx, target, device, answers))


# -- the resident's form


@routes.get(r"/f/{session:\d+}/" + DATE_RE, name="feedback_form", access=PUBLIC)
async def occurrence_form(request: web.Request) -> web.Response:
    target = await _occurrence(request, path_id(request, "session"), path_date(request))
    return await _form_page(request, target)


@routes.post(r"/f/{session:\d+}/" + DATE_RE, name="feedback_submit", access=PUBLIC)
async def occurrence_submit(request: web.Request) -> web.Response:
    target = await _occurrence(request, path_id(request, "session"), path_date(request))
    return await _form_submit(request, target)


@routes.get(r"/f/b/{board:\d+}", name="feedback_board_form", access=PUBLIC)
async def board_form(request: web.Request) -> web.Response:
    return await _form_page(request, await _board(request, path_id(request, "board")))


@routes.post(r"/f/b/{board:\d+}", name="feedback_board_submit", access=PUBLIC)
async def board_submit(request: web.Request) -> web.Response:
    return await _form_submit(request, await _board(request, path_id(request, "board")))


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
    editable = mine is not None and time.time() <= store.editable_until(mine)
    if values is None:
        values = mine["answers"] if mine and editable else {}
    until = None
    if mine:
        until = dt.datetime.fromtimestamp(store.editable_until(mine), request.app[SETTINGS].tz)
    return render(
        request,
        "reports/feedback/form.html",
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
    await _limit(request)
    device = devices.require(request)
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


def _answers_of(f: Fields) -> dict[str, Any]:
    """The answers object, by question id (Form.clean checks what is in it)."""
    answers = f.nested("answers", required=True)
    return dict(answers.data) if answers else {}


@routes.post("/api/v1/sessions/{id}/feedback", name="feedback_api_session", access=PUBLIC)
async def api_session_feedback(request: web.Request) -> web.Response:
    session_id = path_id(request)
    f = Fields(await read_json(request))
    local_date = N_("Le champ « date » est la date locale de la séance (AAAA-MM-JJ).")
    day = f.date("date", required=True, message=local_date, code="invalid_date")
    target = await _occurrence(request, session_id, day or dt.date.min)  # never None: a missing date raised
    return _api_answer(request, await _record(request, target, _answers_of(f)))


@routes.post("/api/v1/boards/{id}/feedback", name="feedback_api_board", access=PUBLIC)
async def api_board_feedback(request: web.Request) -> web.Response:
    target = await _board(request, path_id(request))
    f = Fields(await read_json(request))
    return _api_answer(request, await _record(request, target, _answers_of(f)))
