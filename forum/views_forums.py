"""Pages of forums across sites: the staff list and one-step creation, a forum's page with every
site's links, the city-wide wall, and the city-wide ballot on a phone."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from events import queries as programme
from forum import city_votes, citywide, votes
from forum.access import board_links
from forum.api_forums import city_round_input, forum_input, forum_or_404
from forum.views_votes import _ballot_page, _vote_limits
from quartier import slots
from quartier.bus import last_seq_in
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields, path_id
from quartier.routing import PUBLIC, STAFF, Routes
from quartier.templates import render
from quartier.typedefs import DB, DEVICE
from quartier.web import redirect

routes = Routes()

# A forum's staff page's list of links, which higher packages extend (quartier.slots): reports' minutes.
FORUM_SLOT = "forum.forum"


def _forum_url(request: web.Request, forum_id: int) -> str:
    return str(request.app.router["forum_forum"].url_for(id=str(forum_id)))


@routes.get("/forums", name="forum_forums", access=STAFF)
async def forums_page(request: web.Request) -> web.Response:
    def read(d: Any) -> tuple:
        return citywide.forums(d), programme.sites(d)

    forums, sites = await request.app[DB].read(read)
    return render(request, "forum/forums.html", {"forums": forums, "sites": sites})


@routes.post("/forums", name="forum_forum_create", access=STAFF)
async def forum_create(request: web.Request) -> web.Response:
    form = await request.post()
    data: dict[str, Any] = {k: form.get(k, "") for k in ("title", "prompt", "starts", "ends", "moderation")}
    data["sites"] = [str(s) for s in form.getall("sites", [])]
    # One theme a line in the form (a label may hold a comma there).
    data["themes"] = [line.strip() for line in str(form.get("themes", "")).splitlines() if line.strip()]
    fields = forum_input(data)
    created = await request.app[DB].write(lambda tx: citywide.create_forum_tx(tx, **fields))
    return redirect(_forum_url(request, created["id"]))


@routes.get("/forums/{id}", name="forum_forum", access=STAFF)
async def forum_page(request: web.Request) -> web.Response:
    forum_id = path_id(request)

    def read(d: Any) -> tuple:
        f = citywide.forum(d, forum_id)
        sections = slots.read(request.app, FORUM_SLOT, d, {"forum": f}) if f else []
        return f, city_votes.city_rounds(d, forum_id), sections

    f, rounds, sections = await request.app[DB].read(read)
    if f is None:
        raise Problem(404, "not_found", N_("Ce forum n'existe pas."))
    links = {b["id"]: board_links(request, b) for b in f["boards"]}
    current = next((r for r in reversed(rounds) if r["state"] == "open"), None)
    ctx = {"forum": f, "links": links, "rounds": list(reversed(rounds)), "current": current, "sections": sections}
    response = render(request, "forum/forum.html", ctx)
    response.headers["Cache-Control"] = "no-store"  # the page holds the facilitator links
    return response


@routes.post("/forums/{id}/rounds", name="forum_forum_round_open", access=STAFF)
async def forum_round_open(request: web.Request) -> web.Response:
    forum_id = path_id(request)
    fields = city_round_input(await request.post())
    now = time.time()
    await request.app[DB].write(lambda tx: city_votes.open_city_round_tx(tx, forum_id, now=now, **fields))
    return redirect(_forum_url(request, forum_id) + "#vote")


@routes.post("/forums/{id}/rounds/close", name="forum_forum_round_close", access=STAFF)
async def forum_round_close(request: web.Request) -> web.Response:
    forum_id = path_id(request)
    city_id = Fields(await request.post()).id("round", required=True) or 0
    c = await request.app[DB].read(lambda d: city_votes.city_round(d, city_id))
    if c is None or c["forum_id"] != forum_id:
        raise Problem(404, "not_found", N_("Ce vote n'existe pas."))
    await request.app[DB].write(lambda tx: city_votes.close_city_round_tx(tx, city_id))
    return redirect(_forum_url(request, forum_id) + "#vote")


@routes.post("/forums/{id}/state", name="forum_forum_state", access=STAFF)
async def forum_state(request: web.Request) -> web.Response:
    forum_id = path_id(request)
    state = str(Fields(await request.post()).choice("state", ("open", "closed"), required=True))
    await request.app[DB].write(lambda tx: citywide.set_forum_state_tx(tx, forum_id, state))
    return redirect(_forum_url(request, forum_id))


# -- public: the city-wide wall and ballot


@routes.get("/forums/{id}/wall", name="forum_city_wall", access=PUBLIC)
async def city_wall(request: web.Request) -> web.Response:
    forum_id = path_id(request)

    def read(d: Any) -> tuple:
        f = citywide.forum(d, forum_id)
        return f, (citywide.city_notes(d, f) if f else []), last_seq_in(d)

    f, notes, seq = await request.app[DB].read(read)
    if f is None:
        raise Problem(404, "not_found", N_("Ce forum n'existe pas."))
    recent = time.time() - 60
    by_theme: dict[str, list[dict[str, Any]]] = {t["slug"]: [] for t in f["themes"]}
    for n in notes:
        n["new"] = (n["published"] or 0) > recent
        by_theme.setdefault(n["theme"], []).append(n)
    joins = [{"place": b["place"], "code": b["code"]} for b in f["boards"] if b["state"] == "open"]
    ctx = {
        "forum": f,
        "by_theme": by_theme,
        "seq": seq,
        "channels": ",".join(citywide.channels_of(f)),
        "places": {str(b["id"]): b["place"] for b in f["boards"]},
        "joins": joins,
        "join_url": str(request.app.router["forum_join"].url_for()),
    }
    return render(request, "forum/city_wall.html", ctx)


@routes.get("/forums/{id}/vote", name="forum_city_vote", access=PUBLIC)
async def city_vote(request: web.Request) -> web.Response:
    forum_id = path_id(request)
    f = await forum_or_404(request, forum_id)
    voter = votes.device_voter(request[DEVICE])

    def read(d: Any) -> dict[str, Any]:
        c = city_votes.current_city_round(d, forum_id)
        if c is None:
            return {"round": None, "notes": [], "mine": {}, "used": 0}
        open_rounds = [r for r in city_votes.board_rounds(d, c["id"]) if votes.is_open(r)]
        taking = {r["id"] for r in open_rounds}
        # The ballot keeps the sites' order, not the ranking: no bandwagon.
        rows = [row for row in city_votes.city_ranking(d, c["id"]) if row["round"] in taking]
        rows.sort(key=lambda row: (row["round"], row["note"]))
        mine: dict[int, int] = {}
        for r in open_rounds:
            mine.update(votes.mine(d, r["id"], voter))
        stack = any(r["stack"] for r in open_rounds)
        used = d.conn.execute(
            "SELECT count(*) FROM forum_votes v JOIN forum_rounds r ON r.id = v.round_id "
            "WHERE r.city_round = ? AND v.voter = ?",
            (c["id"], voter),
        ).fetchone()[0]
        return {"round": {**c, "stack": stack}, "notes": rows, "mine": mine, "used": used}

    ballot = await request.app[DB].read(read)
    board = {"title": f["title"], "themes": f["themes"]}
    action = str(request.app.router["forum_city_vote"].url_for(id=str(forum_id)))
    return _ballot_page(request, board, ballot, "forum/city_vote.html", {"forum": f, "action": action})


@routes.post("/forums/{id}/vote", name="forum_city_vote_post", access=PUBLIC)
async def city_vote_post(request: web.Request) -> web.Response:
    """Without JavaScript: a dot from the city-wide ballot's form, then back to it."""
    forum_id = path_id(request)
    await forum_or_404(request, forum_id)
    f = Fields(await request.post())
    note_id, round_id, remove = f.id("note", required=True) or 0, f.id("round"), f.boolean("remove")
    await _vote_limits(request)
    device = request[DEVICE]
    await request.app[DB].write(lambda tx: votes.cast_tx(tx, note_id, device=device, round_id=round_id, remove=remove))
    return redirect(str(request.app.router["forum_city_vote"].url_for(id=str(forum_id))) + f"#note-{note_id}")
