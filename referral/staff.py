"""Staff pages of the directory: the places (typed, edited, deleted) and who serves each need."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from events import queries as programme
from events.model import ACCESSIBILITY
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Invalid, path_id
from quartier.routing import STAFF, Routes
from quartier.typedefs import DB
from quartier.web import redirect
from referral import needs, queries, store
from referral.model import STAFF_FIELDS, clean_resource
from referral.pages import need_of, render

routes = Routes()

LIST_FIELDS = ("languages", "accessibility", "needs")


@routes.get("/staff/orientation", name="referral_staff", access=STAFF)
async def staff_home(request: web.Request) -> web.Response:
    """Every place of the directory, and each need with how many sessions and places serve it."""

    def read(db: Any) -> dict[str, Any]:
        resources = queries.resources(db)
        served = queries.session_needs(db)
        counts = {
            n.id: (sum(1 for ids in served.values() if n.id in ids), sum(1 for r in resources if n.id in r["needs"]))
            for n in needs.NEEDS
        }
        return {"resources": resources, "counts": counts}

    data = await request.app[DB].read(read)
    imported = request.query.get("imported", "").split(",")
    if len(imported) == 3 and all(p.isdigit() for p in imported):
        data["imported"] = dict(zip(("created", "updated", "unchanged"), (int(p) for p in imported), strict=True))
    return render(request, "referral/staff_resources.html", data)


def _form_data(form: Any) -> dict[str, Any]:
    """The form's fields (checkboxes as lists), for clean_resource and for showing the form again."""
    data = {k: form.get(k) for k in STAFF_FIELDS if k not in LIST_FIELDS}
    for k in LIST_FIELDS:
        data[k] = form.getall(k, []) if k != "languages" else form.get(k)
    return data


def _form_page(
    request: web.Request, resource: dict[str, Any] | None, form: dict[str, Any], errors: dict, status: int = 200
) -> web.Response:
    return render(
        request,
        "referral/staff_resource_form.html",
        {"resource": resource, "form": form, "errors": errors, "ACCESSIBILITY": ACCESSIBILITY},
        status=status,
    )


@routes.get("/staff/orientation/resources/new", name="referral_staff_new", access=STAFF)
async def new_resource(request: web.Request) -> web.Response:
    return _form_page(request, None, {"kind": "other", "needs": [], "accessibility": []}, {})


@routes.post("/staff/orientation/resources/new", name="referral_staff_create", access=STAFF)
async def create_resource(request: web.Request) -> web.Response:
    data = _form_data(await request.post())
    try:
        r = clean_resource(data)
    except Invalid as e:
        return _form_page(request, None, data, e.messages(), 422)
    await request.app[DB].write(lambda tx: store.save_resource(tx, r))
    return redirect(str(request.app.router["referral_staff"].url_for()))


async def _resource(request: web.Request) -> dict[str, Any]:
    id = path_id(request)
    found = await request.app[DB].read(lambda db: queries.resource(db, id))
    if found is None:
        raise Problem(404, "not_found", N_("Ce lieu n'est pas dans l'annuaire."))
    return found


@routes.get("/staff/orientation/resources/{id}", name="referral_staff_resource", access=STAFF)
async def edit_resource(request: web.Request) -> web.Response:
    r = await _resource(request)
    form = {**r, "languages": ", ".join(r["languages"])}
    return _form_page(request, r, form, {})


@routes.post("/staff/orientation/resources/{id}", name="referral_staff_save", access=STAFF)
async def save_resource(request: web.Request) -> web.Response:
    existing = await _resource(request)
    data = _form_data(await request.post())
    if existing["origin"]:  # what the file says stays the file's: only staff's own fields come from the form
        data = {
            **{k: existing[k] for k in STAFF_FIELDS},
            **{k: data[k] for k in ("kind", "access", "languages", "accessibility", "needs")},
        }
    try:
        r = clean_resource(data)
    except Invalid as e:
        return _form_page(request, existing, data, e.messages(), 422)
    await request.app[DB].write(lambda tx: store.save_resource(tx, r, id=existing["id"]))
    return redirect(str(request.app.router["referral_staff"].url_for()))


@routes.post("/staff/orientation/resources/{id}/delete", name="referral_staff_delete", access=STAFF)
async def delete_resource(request: web.Request) -> web.Response:
    id = path_id(request)
    await request.app[DB].write(lambda tx: store.delete_resource(tx, id))
    return redirect(str(request.app.router["referral_staff"].url_for()))


@routes.get("/staff/orientation/needs/{need}", name="referral_staff_need", access=STAFF)
async def need_page(request: web.Request) -> web.Response:
    """One need: every session and place, ticked when it serves the need; staff change the ticks."""
    need = need_of(request.match_info["need"])
    assert need is not None

    def read(db: Any) -> dict[str, Any]:
        served = queries.session_needs(db)
        sessions = [{**s, "serves": need.id in served[s["id"]]} for s in programme.sessions(db)]
        places = [{**r, "serves": need.id in r["needs"]} for r in queries.resources(db)]
        return {"sessions": sessions, "places": places}

    data = await request.app[DB].read(read)
    return render(request, "referral/staff_need.html", {"need": need, **data, "saved": request.query.get("saved")})


@routes.post("/staff/orientation/needs/{need}", name="referral_staff_need_save", access=STAFF)
async def need_save(request: web.Request) -> web.Response:
    need = need_of(request.match_info["need"])
    assert need is not None
    form = await request.post()
    sessions = {int(v) for v in form.getall("session", []) if isinstance(v, str) and v.isdigit() and len(v) < 18}
    places = {int(v) for v in form.getall("place", []) if isinstance(v, str) and v.isdigit() and len(v) < 18}
    await request.app[DB].write(lambda tx: store.set_needs_of(tx, need.id, sessions=sessions, places=places))
    url = request.app.router["referral_staff_need"].url_for(need=need.id).with_query(saved="1")
    return redirect(str(url))
