"""Staff pages of the partners' meetings: the series and a new meeting, one meeting with its agenda,
organisations present, outcomes and carried-over actions."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from events import queries as programme
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields, path_id
from quartier.routing import STAFF, Routes
from quartier.templates import render
from quartier.typedefs import DB
from quartier.web import redirect
from reports import decisions, meetings
from reports.api_meetings import item_input, lines, meeting_input, outcome_input

routes = Routes()


def _meeting_url(request: web.Request, meeting_id: int, anchor: str = "") -> str:
    return str(request.app.router["reports_meeting"].url_for(id=str(meeting_id))) + anchor


@routes.get("/meetings", name="reports_meetings", access=STAFF)
async def meetings_page(request: web.Request) -> web.Response:
    def read(d: Any) -> dict[str, Any]:
        return {
            "series": meetings.series_list(d),
            "meetings": meetings.meetings(d),
            "sites": programme.sites(d),
            "partners": programme.partners(d),
        }

    return render(request, "reports/meetings/list.html", await request.app[DB].read(read))


@routes.post("/meetings", name="reports_meeting_create", access=STAFF)
async def meeting_create(request: web.Request) -> web.Response:
    fields = meeting_input(dict(await request.post()))
    created = await request.app[DB].write(lambda tx: meetings.create_meeting_tx(tx, **fields))
    return redirect(_meeting_url(request, created["id"]))


@routes.get("/meetings/{id}", name="reports_meeting", access=STAFF)
async def meeting_page(request: web.Request) -> web.Response:
    meeting_id = path_id(request)

    def read(d: Any) -> dict[str, Any]:
        return {
            "meeting": meetings.meeting(d, meeting_id),
            "partners": programme.partners(d),
            "forum_records": decisions.records(d)[:100],
        }

    data = await request.app[DB].read(read)
    if data["meeting"] is None:
        raise Problem(404, "not_found", N_("Cette réunion n'existe pas."))
    return render(
        request,
        "reports/meetings/page.html",
        {**data, "outcomes": OUTCOME_LABELS, "outcome_label": dict(OUTCOME_LABELS)},
    )


OUTCOME_LABELS = (("decision", N_("Décision")), ("information", N_("Information")), ("action", N_("Action")))


@routes.post("/meetings/{id}/items", name="reports_meeting_item", access=STAFF)
async def meeting_item(request: web.Request) -> web.Response:
    meeting_id = path_id(request)
    fields = item_input(dict(await request.post()))
    item_id = await request.app[DB].write(lambda tx: meetings.add_item_tx(tx, meeting_id, **fields))
    return redirect(_meeting_url(request, meeting_id, f"#item-{item_id}"))


@routes.post("/meetings/{id}/attendees", name="reports_meeting_attendees", access=STAFF)
async def meeting_attendees(request: web.Request) -> web.Response:
    meeting_id = path_id(request)
    names = lines(Fields(dict(await request.post())), "attendees", meetings.MAX_ATTENDEES, 120)
    await request.app[DB].write(lambda tx: meetings.set_attendees_tx(tx, meeting_id, names))
    return redirect(_meeting_url(request, meeting_id, "#presents"))


@routes.post("/meetings/{id}/state", name="reports_meeting_state", access=STAFF)
async def meeting_state(request: web.Request) -> web.Response:
    meeting_id = path_id(request)
    state = str(Fields(await request.post()).choice("state", meetings.STATES, required=True))
    await request.app[DB].write(lambda tx: meetings.set_state_tx(tx, meeting_id, state))
    return redirect(_meeting_url(request, meeting_id))


async def _item_meeting(request: web.Request, item_id: int) -> int:
    i = await request.app[DB].read(lambda d: meetings.item(d, item_id))
    if i is None:
        raise Problem(404, "not_found", N_("Ce point n'existe pas."))
    return int(i["meeting_id"])


@routes.post("/meetings/items/{id}/outcome", name="reports_meeting_outcome", access=STAFF)
async def meeting_outcome(request: web.Request) -> web.Response:
    item_id = path_id(request)
    meeting_id = await _item_meeting(request, item_id)
    fields = outcome_input(dict(await request.post()))
    await request.app[DB].write(lambda tx: meetings.set_outcome_tx(tx, item_id, **fields))
    return redirect(_meeting_url(request, meeting_id, f"#item-{item_id}"))


@routes.post("/meetings/items/{id}/done", name="reports_meeting_done", access=STAFF)
async def meeting_done(request: web.Request) -> web.Response:
    item_id = path_id(request)
    meeting_id = await _item_meeting(request, item_id)
    done = Fields(await request.post()).boolean("done")
    await request.app[DB].write(lambda tx: meetings.set_done_tx(tx, item_id, done))
    back = str((await request.post()).get("back", ""))
    if back == "log":
        return redirect(str(request.app.router["forum_decisions"].url_for()) + f"#item-{item_id}")
    return redirect(_meeting_url(request, meeting_id, f"#item-{item_id}"))
