"""Staff pages: the day's list (cancel in two clicks), one occurrence, sites and sessions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from events import changes, embed, hours_grid, queries, staff_dates, store
from events.model import ACCESSIBILITY, AXES, REPEATS, clean_exception, clean_session, clean_site
from events.pages import now, page
from quartier.bus import last_seq_in
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.inputs import Invalid, path_date, path_id, query
from quartier.routing import STAFF, Routes
from quartier.typedefs import CLOCK, DB, SETTINGS
from quartier.web import redirect, safe_next

routes = Routes()


def _errors(e: Invalid) -> dict[str, str]:
    """Each field's first problem, by the name of its input (the form flattens `repeat`)."""
    return {field.replace("repeat.", "repeat_"): message for field, message in e.messages().items()}


@routes.get("/staff/programme", name="events_staff_day", access=STAFF)
async def staff_day(request: web.Request) -> web.Response:
    """The day's occurrences across every site, each with a "Cancel" button (click one of two)."""
    today = now(request).date()
    day = query(request).date("date") or today

    def read(db):
        return {"occurrences": queries.occurrences(db, day, day), "seq": last_seq_in(db)}

    data = await request.app[DB].read(read)
    return page(
        request,
        "events/staff_day.html",
        {
            **data,
            "day": day,
            "today": today,
            "prev": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "channels": changes.PROGRAMME,
        },
    )


async def _occurrence(request: web.Request) -> tuple[int, dt.date, dict[str, Any]]:
    id, day = path_id(request), path_date(request)
    occ = await request.app[DB].read(lambda db: queries.occurrence(db, id, day))
    if occ is None:
        raise Problem(404, "not_found", N_("Cette séance n'a pas lieu le {date}."), date=day.isoformat())
    return id, day, occ


@routes.get("/staff/sessions/{id}/occurrences/{date}", name="events_staff_occurrence", access=STAFF)
async def staff_occurrence(request: web.Request) -> web.Response:
    """One occurrence: confirm a cancellation (click two of two), move it, mark it full or restore it."""
    id, day, occ = await _occurrence(request)
    back = safe_next(request.query.get("next"), "")
    return page(request, "events/staff_occurrence.html", {"o": occ, "errors": {}, "form": {"next": back}})


@routes.post("/staff/sessions/{id}/occurrences/{date}", name="events_staff_occurrence_save", access=STAFF)
async def staff_occurrence_save(request: web.Request) -> web.Response:
    id, day, occ = await _occurrence(request)
    form = await request.post()
    data = {k: form.get(k) for k in ("status", "reason", "new_date", "start", "end", "room")}
    data["date"] = day.isoformat()
    try:
        e = clean_exception(data)
    except Invalid as err:
        data["next"] = safe_next(str(form.get("next", "")), "")
        return page(
            request, "events/staff_occurrence.html", {"o": occ, "errors": _errors(err), "form": data}, status=422
        )
    await request.app[DB].write(lambda tx: store.set_exception(tx, id, e))
    if back := safe_next(str(form.get("next", "")), ""):  # from the session's edit page: back to its dates
        return redirect(back)
    url = request.app.router["events_staff_day"].url_for()
    return redirect(
        str(url.with_query(date=(e["new_date"] or day).isoformat() if e["status"] == "moved" else day.isoformat()))
    )


# -- sites


@routes.get("/staff/sites", name="events_staff_sites", access=STAFF)
async def staff_sites(request: web.Request) -> web.Response:
    rows = await request.app[DB].read(queries.sites)
    return page(request, "events/staff_sites.html", {"sites": rows})


SITE_FIELDS = (
    "slug",
    "name",
    "neighbourhood",
    "address",
    "postal_code",
    "commune",
    "insee",
    "latitude",
    "longitude",
    "opening_hours",
    "phone",
    "contact",
    "email",
    "website",
    "siret",
    "typologie",
)


def _site_form(site: dict[str, Any] | None, errors: dict[str, str], action: str, *, new: bool) -> dict[str, Any]:
    return {
        "site": site or {},
        "errors": errors,
        "action": action,
        "new": new,
        "ACCESSIBILITY": ACCESSIBILITY,
        "fields": SITE_FIELDS,
        "hours_grid": hours_grid.grid_of((site or {}).get("opening_hours")),
        "day_codes": hours_grid.DAYS,
        "day_names": hours_grid.day_names(),
    }


@routes.get("/staff/sites/new", name="events_staff_site_new", access=STAFF)
async def staff_site_new(request: web.Request) -> web.Response:
    action = str(request.app.router["events_staff_site_create"].url_for())
    return page(
        request,
        "events/staff_site_form.html",
        _site_form({"commune": "Rennes", "insee": "35238"}, {}, action, new=True),
    )


async def _site_from_form(request: web.Request) -> dict[str, Any]:
    form = await request.post()
    data: dict[str, Any] = {k: form.get(k, "") for k in SITE_FIELDS}
    data["accessibility"] = form.getall("accessibility", [])
    data["mobile"] = form.get("mobile") == "1"
    return data


@routes.post("/staff/sites/new", name="events_staff_site_create", access=STAFF)
async def staff_site_create(request: web.Request) -> web.Response:
    data = await _site_from_form(request)
    action = str(request.app.router["events_staff_site_create"].url_for())
    try:
        site = clean_site(data, default_timezone=request.app[SETTINGS].timezone)
    except Invalid as e:
        return page(request, "events/staff_site_form.html", _site_form(data, _errors(e), action, new=True), status=422)
    if await request.app[DB].read(lambda db: queries.site(db, site["slug"])):
        errors = {"slug": _("L'identifiant « {slug} » est déjà pris.").format(slug=site["slug"])}
        return page(request, "events/staff_site_form.html", _site_form(data, errors, action, new=True), status=422)
    await request.app[DB].write(lambda tx: store.save_site(tx, site))
    return redirect(str(request.app.router["events_staff_sites"].url_for()))


@routes.get("/staff/sites/{slug}", name="events_staff_site", access=STAFF)
async def staff_site_edit(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    site = await request.app[DB].read(lambda db: queries.site(db, slug))
    if site is None:
        raise Problem(404, "not_found", N_("Ce lieu n'existe pas."))
    action = str(request.app.router["events_staff_site_save"].url_for(slug=slug))
    context = _site_form(site, {}, action, new=False)
    title = _("Programme de {name}").format(name=site["name"])
    context["snippets"] = [(_("Tout le programme du lieu"), embed.snippet(request, slug, title=title))] + [
        (_(label), embed.snippet(request, slug, axis, title=f"{title} — {_(label)}")) for axis, label in AXES.items()
    ]
    return page(request, "events/staff_site_form.html", context)


@routes.post("/staff/sites/{slug}", name="events_staff_site_save", access=STAFF)
async def staff_site_save(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    data = await _site_from_form(request)
    action = str(request.app.router["events_staff_site_save"].url_for(slug=slug))
    try:
        site = clean_site(data, default_timezone=request.app[SETTINGS].timezone)
    except Invalid as e:
        return page(request, "events/staff_site_form.html", _site_form(data, _errors(e), action, new=False), status=422)
    await request.app[DB].write(lambda tx: store.save_site(tx, site, old_slug=slug))
    return redirect(str(request.app.router["events_staff_sites"].url_for()))


@routes.post("/staff/sites/{slug}/delete", name="events_staff_site_delete", access=STAFF)
async def staff_site_delete(request: web.Request) -> web.Response:
    await request.app[DB].write(lambda tx: store.delete_site(tx, request.match_info["slug"]))
    return redirect(str(request.app.router["events_staff_sites"].url_for()))


# -- sessions


@routes.get("/staff/sessions", name="events_staff_sessions", access=STAFF)
async def staff_sessions(request: web.Request) -> web.Response:
    site = query(request).text("site", max_length=60) or None
    rows, sites = await request.app[DB].read(lambda db: (queries.sessions(db, site), queries.sites(db)))
    return page(
        request, "events/staff_sessions.html", {"sessions": rows, "sites": sites, "site": site, "REPEATS": REPEATS}
    )


def _session_form(
    request: web.Request, s: dict[str, Any], errors: dict[str, str], action: str, choices: tuple, *, new: bool
) -> dict[str, Any]:
    """The session form's context; `choices` is (sites, partners) for its two lists."""
    sites, partners = choices
    return {
        "s": s,
        "errors": errors,
        "action": action,
        "sites": sites,
        "partners": partners,
        "new": new,
        "REPEATS": REPEATS,
    }


def _choices(db: Any) -> tuple[list, list]:
    return queries.sites(db), queries.partners(db)


def _form_of_session(s: dict[str, Any]) -> dict[str, Any]:
    """A stored session as the flat fields of the form."""
    return {
        "site": s["site"],
        "title": s["title"],
        "description": s["description"],
        "kind": s["kind"],
        "axis": s["axis"],
        "room": s["room"],
        "date": s["first_date"],
        "start": s["start_time"],
        "end": s["end_time"],
        "repeat_every": s["repeat_every"] or "",
        "repeat_interval": s["repeat_interval"],
        "repeat_until": s["repeat_until"] or "",
        "repeat_count": s["repeat_count"] or "",
        "audience": ", ".join(s["audience"]),
        "languages": ", ".join(s["languages"]),
        "registration": s["registration"],
        "capacity": s["capacity"] or "",
        "partner": s["partner_key"],
        "staff_count": s["staff_count"],
        "free": s["free"],
    }


def session_from_form(form: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the form's flat fields, to show again; the session's fields, to check): the staff form's and a partner's proposal's."""
    flat: dict[str, Any] = {
        k: form.get(k, "")
        for k in (
            "site",
            "title",
            "description",
            "kind",
            "axis",
            "room",
            "date",
            "start",
            "end",
            "repeat_every",
            "repeat_interval",
            "repeat_until",
            "repeat_count",
            "audience",
            "languages",
            "capacity",
            "partner",
            "staff_count",
        )
    }
    flat["registration"] = "registration" in form
    flat["free"] = "free" in form
    data = {k: v for k, v in flat.items() if not k.startswith("repeat_")}
    if flat["repeat_every"]:
        data["repeat"] = {
            "every": flat["repeat_every"],
            "interval": flat["repeat_interval"] or 1,
            "until": flat["repeat_until"],
            "count": flat["repeat_count"],
        }
    return flat, data


@routes.get("/staff/sessions/new", name="events_staff_session_new", access=STAFF)
async def staff_session_new(request: web.Request) -> web.Response:
    choices = await request.app[DB].read(_choices)
    action = str(request.app.router["events_staff_session_create"].url_for())
    s = {
        "site": query(request).text("site", max_length=60),
        "date": now(request).date().isoformat(),
        "free": True,
        "repeat_every": "weekly",
        "repeat_interval": 1,
        "staff_count": 1,
    }
    return page(request, "events/staff_session_form.html", _session_form(request, s, {}, action, choices, new=True))


@routes.post("/staff/sessions/new", name="events_staff_session_create", access=STAFF)
async def staff_session_create(request: web.Request) -> web.Response:
    return await _save_session(request, None, "events_staff_session_create", {})


@routes.get("/staff/sessions/{id}", name="events_staff_session", access=STAFF)
async def staff_session_edit(request: web.Request) -> web.Response:
    id = path_id(request)
    today = request.app[CLOCK].now().date()  # the app's clock, so a test can fix the day
    start = query(request).date("dates_from") or today
    s, choices, dates = await request.app[DB].read(
        lambda db: (queries.session(db, id), _choices(db), staff_dates.coming_dates(db, id, start))
    )
    if s is None:
        raise Problem(404, "not_found", N_("Cette séance n'existe pas."))
    action = str(request.app.router["events_staff_session_save"].url_for(id=str(id)))
    return page(
        request,
        "events/staff_session_form.html",
        {
            **_session_form(request, _form_of_session(s), {}, action, choices, new=False),
            "id": id,
            "today": today,
            **dates,
        },
    )


@routes.post("/staff/sessions/{id}", name="events_staff_session_save", access=STAFF)
async def staff_session_save(request: web.Request) -> web.Response:
    id = path_id(request)
    return await _save_session(request, id, "events_staff_session_save", {"id": str(id)})


async def _save_session(request: web.Request, id: int | None, route: str, parts: dict[str, str]) -> web.Response:
    flat, data = session_from_form(await request.post())
    choices = await request.app[DB].read(_choices)
    action = str(request.app.router[route].url_for(**parts))
    try:
        s = clean_session(data, site_slugs={x["slug"] for x in choices[0]})
        if s["partner"] and s["partner"] not in {p["key"] for p in choices[1]}:
            raise Invalid([("partner", N_("Partenaire inconnu : « {partner} »."), {"partner": s["partner"]})])
    except Invalid as e:
        return page(
            request,
            "events/staff_session_form.html",
            {**_session_form(request, flat, _errors(e), action, choices, new=id is None), "id": id},
            status=422,
        )
    new_id, _outcome = await request.app[DB].write(lambda tx: store.save_session(tx, s, id=id))
    return redirect(str(request.app.router["events_session"].url_for(id=str(new_id))))


@routes.post("/staff/sessions/{id}/delete", name="events_staff_session_delete", access=STAFF)
async def staff_session_delete(request: web.Request) -> web.Response:
    id = path_id(request)
    await request.app[DB].write(lambda tx: store.delete_session(tx, id))
    return redirect(str(request.app.router["events_staff_sessions"].url_for()))
