"""JSON of the hackathons, as their public pages show them: challenges, teams and members' first
names, what each team built, the pitch schedule and the final vote's results."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from forum import hackathon
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import path_id, query
from quartier.routing import PUBLIC, Routes
from quartier.templates import public_url
from quartier.typedefs import DB, SETTINGS

routes = Routes()


def _iso(ts: float | None, tz: Any) -> str | None:
    return dt.datetime.fromtimestamp(ts, tz).isoformat(timespec="seconds") if ts else None


def summary(request: web.Request, h: dict[str, Any]) -> dict[str, Any]:
    tz = request.app[SETTINGS].tz
    return {
        "id": h["id"],
        "title": h["title"],
        "site": h["site"] or None,
        "session": h["session_id"],
        "created": _iso(h["created"], tz),
        "pitch_start": _iso(h["pitch_start"], tz),
        "url": public_url(request, f"/hackathons/{h['id']}"),
        "results_url": public_url(request, f"/hackathons/{h['id']}/results"),
    }


def detail(request: web.Request, r: dict[str, Any]) -> dict[str, Any]:
    """A hackathon's results() as JSON: its page and its results page together."""
    tz = request.app[SETTINGS].tz
    final = r["final"]
    teams = [
        {
            "id": t["id"],
            "name": t["name"],
            "challenge": t["challenge_id"],
            "members": t["members"],
            "built": t["built"] or None,
            "position": t["position"],
            "votes": t["votes"],
            "board": t["board_id"],
        }
        for t in r["ranked"]
    ]
    return {
        **summary(request, r),
        "challenges": [
            {
                "id": c["id"],
                "title": c["title"],
                "description": c.get("description") or None,
                "note": c["note_id"],
                "teams": [t["id"] for t in c["teams"]],
            }
            for c in r["by_challenge"]
        ],
        "teams": teams,
        "pitches": [
            {
                **{k: s[k] for k in ("team", "name", "position")},
                "starts": _iso(s["starts"], tz),
                "ends": _iso(s["ends"], tz),
            }
            for s in r["slots"]
        ],
        "pitch_minutes": r["pitch_minutes"],
        "final_vote": None
        if final is None
        else {"title": final["title"], "state": final["state"], "voters": final["voters"], "dots": final["dots"]},
    }


@routes.get("/api/v1/hackathons", name="api_hackathons", access=PUBLIC)
async def api_hackathons(request: web.Request) -> web.Response:
    """Every hackathon, newest first (`?site=` for one site's)."""
    site = query(request).text("site", max_length=60) or None
    rows = await request.app[DB].read(lambda db: hackathon.hackathons(db, site))
    return web.json_response({"hackathons": [summary(request, h) for h in rows]})


@routes.get("/api/v1/hackathons/{id}", name="api_hackathon", access=PUBLIC)
async def api_hackathon(request: web.Request) -> web.Response:
    """One hackathon: challenges, teams (first names only), what each built, pitches, the final vote."""
    hid = path_id(request)
    r = await request.app[DB].read(lambda db: hackathon.results(db, hid))
    if r is None:
        raise Problem(404, "not_found", N_("Ce hackathon n'existe pas."))
    return web.json_response(detail(request, r))
