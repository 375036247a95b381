"""Hackathon pages: staff run it (challenges, teams, pitches, final vote); everyone sees it, joins a
team from their phone, follows the pitches and reads the results."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from aiohttp import web

from events import queries as programme
from events.model import SLUG_RE
from forum import changes, hackathon, queries, votes
from quartier.bus import last_seq_in
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields, path_id
from quartier.routing import PUBLIC, STAFF, Routes
from quartier.templates import public_url, render
from quartier.typedefs import DB, DEVICE, LIMITER, NEW_DEVICE, SETTINGS
from quartier.web import redirect

routes = Routes()

JOIN_LIMIT = (10, 5)  # joins a minute per device


async def _hackathon_or_404(request: web.Request, hackathon_id: int) -> dict[str, Any]:
    h = await request.app[DB].read(lambda d: hackathon.hackathon(d, hackathon_id))
    if h is None:
        raise Problem(404, "not_found", N_("Ce hackathon n'existe pas."))
    return h


def _url(request: web.Request, name: str, anchor: str = "", **parts: Any) -> str:
    return str(request.app.router[name].url_for(**{k: str(v) for k, v in parts.items()})) + anchor


def _hhmm(request: web.Request):
    tz = request.app[SETTINGS].tz

    def fmt(ts: float | None) -> str:
        return dt.datetime.fromtimestamp(ts, tz).strftime("%H:%M") if ts else ""

    return fmt


# -- staff


@routes.get("/hackathons/staff", name="hack_list", access=STAFF)
async def hack_list(request: web.Request) -> web.Response:
    def read(d: Any) -> tuple:
        sessions = [s for s in programme.sessions(d) if s["kind"] == "hackathon"]
        return hackathon.hackathons(d), programme.sites(d), sessions

    rows, sites, sessions = await request.app[DB].read(read)
    return render(request, "forum/hack_list.html", {"hackathons": rows, "sites": sites, "sessions": sessions})


@routes.post("/hackathons/staff", name="hack_create", access=STAFF)
async def hack_create(request: web.Request) -> web.Response:
    f = Fields(await request.post())
    title = f.text("title", max_length=hackathon.MAX_TITLE, required=True, label=N_("titre"))
    session_id = f.id("session", message=N_("La séance est un numéro."))
    site = f.text("site", max_length=60, pattern=SLUG_RE, label=N_("lieu")) or None

    def read(d: Any) -> Any:
        return programme.session(d, session_id) if session_id else None

    session = await request.app[DB].read(read)
    if session_id and session is None:
        raise Problem(422, "invalid_field", N_("La séance est un numéro."))
    if session:
        site = site or session["site"]
    hid = await request.app[DB].write(
        lambda tx: hackathon.create_hackathon_tx(tx, title=title, site=site, session_id=session_id)
    )
    return redirect(_url(request, "hack_manage", id=hid))


@routes.get("/hackathons/{id}/staff", name="hack_manage", access=STAFF)
async def hack_manage(request: web.Request) -> web.Response:
    hid = path_id(request)

    def read(d: Any) -> tuple:
        h = hackathon.hackathon(d, hid)
        if h is None:
            return None, [], None
        # Notes that could become challenges: published notes of the forums of the same site.
        notes = [
            n
            for b in queries.boards(d, site=h["site"])
            if b["id"] != h["board_id"] and b["id"] not in {t["board_id"] for t in h["teams"]}
            for n in queries.public_notes(d, b["id"])
        ][:200]
        session = programme.session(d, h["session_id"]) if h["session_id"] else None
        return h, notes, session

    h, notes, session = await request.app[DB].read(read)
    if h is None:
        raise Problem(404, "not_found", N_("Ce hackathon n'existe pas."))
    start = ""
    if h["pitch_start"]:
        start = dt.datetime.fromtimestamp(h["pitch_start"], request.app[SETTINGS].tz).strftime("%Y-%m-%dT%H:%M")
    return render(
        request,
        "forum/hack_manage.html",
        {
            "h": h,
            "notes": notes,
            "session": session,
            "start": start,
            "hhmm": _hhmm(request),
        },
    )


@routes.post("/hackathons/{id}/challenges", name="hack_add_challenge", access=STAFF)
async def hack_add_challenge(request: web.Request) -> web.Response:
    hid = path_id(request)
    f = Fields(await request.post())
    title = f.text("title", max_length=hackathon.MAX_TITLE, label=N_("titre"))
    description = f.text("description", max_length=hackathon.MAX_DESCRIPTION, multiline=True, label=N_("description"))
    note_id = f.id("note", label=N_("note"))
    await request.app[DB].write(
        lambda tx: hackathon.add_challenge_tx(tx, hid, title=title, description=description, note_id=note_id)
    )
    return redirect(_url(request, "hack_manage", "#defis", id=hid))


@routes.post("/hackathons/{id}/teams", name="hack_add_team", access=STAFF)
async def hack_add_team(request: web.Request) -> web.Response:
    hid = path_id(request)
    f = Fields(await request.post())
    name = f.text("name", max_length=hackathon.MAX_NAME, required=True, label=N_("nom"))
    challenge = f.id("challenge", label=N_("défi"))
    await request.app[DB].write(lambda tx: hackathon.add_team_tx(tx, hid, name=name, challenge_id=challenge))
    return redirect(_url(request, "hack_manage", "#equipes", id=hid))


@routes.post("/hackathons/teams/{id}/built", name="hack_team_built", access=STAFF)
async def hack_team_built(request: web.Request) -> web.Response:
    team_id = path_id(request)
    f = Fields(await request.post())
    built = f.text("built", max_length=hackathon.MAX_BUILT, multiline=True, label=N_("réalisation"))
    await request.app[DB].write(lambda tx: hackathon.set_built_tx(tx, team_id, built))
    t = await request.app[DB].read(lambda d: hackathon.team(d, team_id))
    return redirect(_url(request, "hack_manage", "#equipes", id=t["hackathon_id"]))  # type: ignore[index]  # set_built_tx answered 404 when there is no such team


@routes.post("/hackathons/{id}/pitches", name="hack_pitches", access=STAFF)
async def hack_pitches(request: web.Request) -> web.Response:
    hid = path_id(request)
    f = Fields(await request.post())
    h = await _hackathon_or_404(request, hid)
    minutes = f.integer("minutes", minimum=1, maximum=120, default=h["pitch_minutes"], label=N_("minutes"))
    order = []
    for t in h["teams"]:
        pos = f.integer(f"position-{t['id']}", minimum=1, maximum=999, default=t["position"], label=N_("ordre"))
        order.append((pos, t["position"], t["id"]))
    order_ids = [i for *_p, i in sorted(order)]
    tz = request.app[SETTINGS].tz
    start: float | None
    if f.boolean("from_session"):
        if not h["session_id"]:
            raise Problem(422, "no_session", N_("Ce hackathon n'est lié à aucune séance du programme."))
        today = dt.datetime.now(tz).date()

        def read(d: Any) -> list:
            return programme.occurrences(d, today, today + dt.timedelta(days=60), session_id=h["session_id"])

        occurrences = [
            o
            for o in await request.app[DB].read(read)
            if o["status"] != "cancelled" and o["end"].timestamp() > time.time()
        ]
        if not occurrences:
            raise Problem(422, "no_session", N_("La séance du programme n'a pas de date à venir."))
        start = hackathon.session_pitch_start(occurrences[0], len(h["teams"]), minutes)
    elif f.boolean("now"):
        start = time.time()
    else:
        moment = f.datetime("start", tz=tz, message=N_("L'heure s'écrit AAAA-MM-JJTHH:MM."))
        start = moment.timestamp() if moment else None
    await request.app[DB].write(
        lambda tx: hackathon.set_pitches_tx(tx, hid, start=start, minutes=minutes, order=order_ids)
    )
    return redirect(_url(request, "hack_manage", "#pitchs", id=hid))


@routes.post("/hackathons/{id}/vote", name="hack_vote", access=STAFF)
async def hack_vote(request: web.Request) -> web.Response:
    hid = path_id(request)
    f = Fields(await request.post())
    h = await _hackathon_or_404(request, hid)
    if f.choice("action", ("open", "close"), "open") == "close":
        if not h["voting"]:
            raise Problem(409, "no_round", N_("Aucun vote n'est ouvert sur ce tableau en ce moment."))
        await request.app[DB].write(lambda tx: votes.close_round_tx(tx, h["voting"]["id"]))
        return redirect(_url(request, "hack_results", id=hid))
    budget = f.integer("budget", minimum=1, maximum=votes.MAX_BUDGET, default=3, label=N_("gommettes"))
    await request.app[DB].write(
        lambda tx: votes.open_round_tx(tx, h["board_id"], title="Vote final", budget=budget, stack=False)
    )
    return redirect(_url(request, "hack_manage", "#vote", id=hid))


# -- public


@routes.get("/hackathons/{id}", name="hack_page", access=PUBLIC)
async def hack_page(request: web.Request) -> web.Response:
    h = await _hackathon_or_404(request, path_id(request))
    mine = member = None
    if not request[NEW_DEVICE]:
        device = hackathon.member_device(request[DEVICE])
        row = await request.app[DB].fetchone(
            "SELECT m.team_id, m.first_name FROM forum_members m JOIN forum_teams t ON t.id = m.team_id "
            "WHERE m.device = ? AND t.hackathon_id = ?",
            (device, h["id"]),
        )
        if row:
            mine, member = row["team_id"], row["first_name"]
    page = _url(request, "hack_page", id=h["id"])
    return render(
        request,
        "forum/hack_page.html",
        {
            "h": h,
            "mine": mine,
            "member": member,
            "hhmm": _hhmm(request),
            "page_public": public_url(request, page),
            "page": page,
            "max_first_name": hackathon.MAX_FIRST_NAME,
        },
    )


@routes.post("/hackathons/teams/{id}/join", name="hack_join", access=PUBLIC)
async def hack_join(request: web.Request) -> web.Response:
    team_id = path_id(request)
    f = Fields(await request.post())
    first_name = f.text("first_name", max_length=hackathon.MAX_FIRST_NAME, required=True, label=N_("prénom"))
    if request[NEW_DEVICE]:
        raise Problem(
            409, "no_device", N_("Votre appareil n'est pas reconnu : rechargez la page, puis votez à nouveau.")
        )
    await request.app[LIMITER].enforce([(f"team-join:{request[DEVICE]}", *JOIN_LIMIT)])
    device = hackathon.member_device(request[DEVICE])
    t = await request.app[DB].write(
        lambda tx: hackathon.join_team_tx(tx, team_id, first_name=first_name, device=device)
    )
    return redirect(_url(request, "hack_page", f"#team-{team_id}", id=t["hackathon_id"]))


@routes.get("/hackathons/{id}/pitches", name="hack_pitch_screen", access=PUBLIC)
async def hack_pitch_screen(request: web.Request) -> web.Response:
    h = await _hackathon_or_404(request, path_id(request))
    now = time.time()
    schedule = [s for s in h["slots"] if s["starts"]]
    current = next((s for s in schedule if s["starts"] <= now < s["ends"]), None)
    upcoming = next((s for s in schedule if s["starts"] > now), None)
    # The page follows the bus (issue 26: no meta refresh) and refetches itself when a pitch begins or ends.
    boundaries = [t for s in schedule for t in (s["starts"], s["ends"]) if t and t > now]
    seq = await request.app[DB].read(last_seq_in)
    return render(
        request,
        "forum/hack_pitches.html",
        {
            "h": h,
            "current": current,
            "next": upcoming,
            "schedule": schedule,
            "hhmm": _hhmm(request),
            "channels": changes.hackathon_channel(h["id"]),
            "seq": seq,
            "next_change_in": round(min(boundaries) - now, 1) if boundaries else None,
        },
    )


@routes.get("/hackathons/{id}/results", name="hack_results", access=PUBLIC)
async def hack_results(request: web.Request) -> web.Response:
    hid = path_id(request)
    res = await request.app[DB].read(lambda d: hackathon.results(d, hid))
    if res is None:
        raise Problem(404, "not_found", N_("Ce hackathon n'existe pas."))
    return render(request, "forum/hack_results.html", {"r": res})
