"""The JSON API of the partners' meetings: series, meetings, agenda items and their outcomes.

Meetings still planned are staff's; once held, a meeting's record is public."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from events.model import SLUG_RE
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields, clean_text, path_id, query, read_json
from quartier.routing import PUBLIC, STAFF, Routes
from quartier.typedefs import DB, USER
from reports import meetings

routes = Routes()

SAY_DATE = N_("La date s'écrit AAAA-MM-JJ.")


def lines(f: Fields, name: str, max_items: int, max_length: int) -> list[str]:
    """A list of one-line texts (JSON list), or one a line (a form's textarea)."""
    raw = f.data.get(name) or []
    if isinstance(raw, str):
        raw = raw.splitlines()
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise Problem(422, "invalid_field", N_("Une liste de textes est attendue."), field=name)
    items = [t for x in raw if (t := clean_text(x, multiline=False))]
    if len(items) > max_items:
        raise Problem(422, "too_many", N_("{n} lignes au plus."), field=name, n=max_items)
    if any(len(t) > max_length for t in items):
        raise Problem(422, "too_long", N_("Une ligne a {max} caractères au plus."), field=name, max=max_length)
    return items


def meeting_input(data: Any) -> dict[str, Any]:
    f = Fields(data)
    say = {"required": N_("Nommez la série de réunions, par exemple « GT ESC ».")}
    series = f.text("series", max_length=120, required=True, message=say)
    day = f.date("day", required=True, code="invalid_date", message=SAY_DATE)
    site = f.text("site", max_length=60, pattern=SLUG_RE, message=N_("Ce lieu n'existe pas dans le programme."))
    return {
        "series": series,
        "day": day,
        "place": f.text("place", max_length=120),
        "site": site or None,
        "attendees": lines(f, "attendees", meetings.MAX_ATTENDEES, 120),
        "agenda": lines(f, "agenda", meetings.MAX_ITEMS, meetings.MAX_TITLE),
    }


def item_input(data: Any) -> dict[str, Any]:
    f = Fields(data)
    title = f.text("title", max_length=meetings.MAX_TITLE, required=True, message=N_("Donnez un titre au point."))
    return {
        "title": title,
        "forum_note": f.id("forum_note", message=N_("Choisissez une décision ou une action d'un forum.")),
    }


def outcome_input(data: Any) -> dict[str, Any]:
    f = Fields(data)
    outcome = str(
        f.choice(
            "outcome", meetings.OUTCOMES, required=True, message=N_("L'issue vaut décision, information ou action.")
        )
    )
    text = f.text("text", max_length=meetings.MAX_TEXT, multiline=True)
    who = f.text("who", max_length=meetings.MAX_WHO)
    due = f.date("due", code="invalid_date", message=SAY_DATE)
    if outcome == "action" and not who:
        raise Problem(422, "invalid_field", N_("Indiquez qui s'en charge."), field="who")
    return {"outcome": outcome, "text": text, "who": who, "due": due.isoformat() if due else None}


async def visible_meeting(request: web.Request, meeting_id: int) -> dict[str, Any]:
    """A meeting with its items; a planned one is staff's (404 to others)."""
    m = await request.app[DB].read(lambda d: meetings.meeting(d, meeting_id))
    if m is None or (m["state"] != "held" and request.get(USER) is None):
        raise Problem(404, "not_found", N_("Cette réunion n'existe pas."))
    return m


@routes.get("/api/v1/meetings", name="api_meetings", access=PUBLIC)
async def api_meetings(request: web.Request) -> web.Response:
    series = query(request).id("series", message=N_("La série est un numéro."))
    held_only = request.get(USER) is None

    def read(d: Any) -> list[dict[str, Any]]:
        return [meetings.public_meeting(m) for m in meetings.meetings(d, series_id=series, held_only=held_only)]

    return web.json_response({"meetings": await request.app[DB].read(read)})


@routes.post("/api/v1/meetings", name="api_create_meeting", access=STAFF)
async def api_create_meeting(request: web.Request) -> web.Response:
    fields = meeting_input(await read_json(request))
    created = await request.app[DB].write(lambda tx: meetings.create_meeting_tx(tx, **fields))
    return web.json_response(created, status=201)


@routes.get("/api/v1/meetings/{id}", name="api_meeting", access=PUBLIC)
async def api_meeting(request: web.Request) -> web.Response:
    return web.json_response(meetings.public_meeting(await visible_meeting(request, path_id(request))))


@routes.post("/api/v1/meetings/{id}/items", name="api_meeting_item", access=STAFF)
async def api_meeting_item(request: web.Request) -> web.Response:
    meeting_id = path_id(request)
    fields = item_input(await read_json(request))
    item_id = await request.app[DB].write(lambda tx: meetings.add_item_tx(tx, meeting_id, **fields))
    return web.json_response({"id": item_id}, status=201)


@routes.post("/api/v1/meetings/{id}/state", name="api_meeting_state", access=STAFF)
async def api_meeting_state(request: web.Request) -> web.Response:
    meeting_id = path_id(request)
    state = str(Fields(await read_json(request)).choice("state", meetings.STATES, required=True))
    await request.app[DB].write(lambda tx: meetings.set_state_tx(tx, meeting_id, state))
    return web.json_response(meetings.public_meeting(await visible_meeting(request, meeting_id)))


@routes.post("/api/v1/meeting-items/{id}/outcome", name="api_meeting_outcome", access=STAFF)
async def api_meeting_outcome(request: web.Request) -> web.Response:
    item_id = path_id(request)
    fields = outcome_input(await read_json(request))
    await request.app[DB].write(lambda tx: meetings.set_outcome_tx(tx, item_id, **fields))
    return web.json_response({"id": item_id, **fields})


@routes.post("/api/v1/meeting-items/{id}/done", name="api_meeting_done", access=STAFF)
async def api_meeting_done(request: web.Request) -> web.Response:
    item_id = path_id(request)
    done = Fields(await read_json(request)).boolean("done", default=True)
    await request.app[DB].write(lambda tx: meetings.set_done_tx(tx, item_id, done))
    return web.json_response({"id": item_id, "done": done})
