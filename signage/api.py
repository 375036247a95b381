"""JSON API of the screens: pairing, snapshot, heartbeat, registry and announcements."""

from __future__ import annotations

import time

from aiohttp import web

from quartier.db import encode
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import path_id, read_json
from quartier.routing import ORGANIZER, PUBLIC, STAFF, Routes
from quartier.typedefs import DB, LIMITER, SETTINGS
from signage import access, changes, screen, service, store

routes = Routes()


def json_response(data: object, status: int = 200) -> web.Response:
    return web.Response(text=encode(data), status=status, content_type="application/json")


async def throttle(request: web.Request, what: str, per_minute: int, burst: int) -> None:
    await request.app[LIMITER].enforce([(f"{what}:{request.remote}", per_minute, burst)])


@routes.post("/api/v1/displays/pair", name="api_display_pair", access=PUBLIC)
async def pair(request: web.Request) -> web.Response:
    await throttle(request, "signage-pair", per_minute=10, burst=20)
    return json_response(await service.start_pairing(request.app), status=201)


@routes.get("/api/v1/displays/pair/{claim}", name="api_display_pair_poll", access=PUBLIC)
async def pair_poll(request: web.Request) -> web.Response:
    await throttle(request, "signage-poll", per_minute=120, burst=60)
    delivered = await service.deliver(request.app, request.match_info["claim"])
    if delivered is None:
        return json_response({"status": "waiting"}, status=202)
    display_id = delivered["id"]
    return json_response(
        {
            **delivered,
            "snapshot": str(request.app.router["api_display_snapshot"].url_for(id=str(display_id))),
            "heartbeat": str(request.app.router["api_display_heartbeat"].url_for(id=str(display_id))),
            "channel": changes.display_channel(display_id),
        }
    )


@routes.post("/api/v1/displays/claim", name="api_display_claim", access=ORGANIZER)
async def claim(request: web.Request) -> web.Response:
    await service.throttle_claims(request)
    display_id = await service.claim(request.app, await read_json(request))
    return json_response({"id": display_id}, status=201)


@routes.get("/api/v1/displays", name="api_displays", access=STAFF)
async def displays(request: web.Request) -> web.Response:
    return json_response({"displays": await service.registry(request)})


@routes.patch("/api/v1/displays/{id}", name="api_display_update", access=ORGANIZER)
async def update(request: web.Request) -> web.Response:
    display_id = path_id(request)
    fields = await service.display_fields(request.app, await read_json(request))
    now = time.time()
    await request.app[DB].write(lambda tx: store.update_display(tx, display_id, fields, now))
    return json_response({"id": display_id})


@routes.delete("/api/v1/displays/{id}", name="api_display_delete", access=ORGANIZER)
async def delete(request: web.Request) -> web.Response:
    display_id = path_id(request)
    await request.app[DB].write(lambda tx: store.delete_display(tx, display_id))
    await service.close_screen_sockets(request.app, display_id)
    return web.Response(status=204)


@routes.post("/api/v1/displays/{id}/revoke", name="api_display_revoke", access=ORGANIZER)
async def revoke(request: web.Request) -> web.Response:
    display_id = path_id(request)
    now = time.time()
    await request.app[DB].write(lambda tx: store.revoke(tx, display_id, now))
    await service.close_screen_sockets(request.app, display_id)
    return json_response({"id": display_id, "paired": False})


@routes.get("/api/v1/displays/{id}/snapshot", name="api_display_snapshot", access=access.STAFF_OR_OWN_DISPLAY)
async def snapshot(request: web.Request) -> web.Response:
    display_id = path_id(request)
    # A read, and nothing more: a screen's "last seen" comes from its heartbeats.
    snap = await service.build_snapshot(request, display_id)
    return service.snapshot_response(request, snap)


@routes.get("/api/v1/displays/{id}/page", name="api_display_page", access=access.STAFF_OR_OWN_DISPLAY)
async def page(request: web.Request) -> web.Response:
    """The screen page for the Pi agent to serve offline (HTML with a snapshot slot, and its files)."""
    display_id = path_id(request)
    if not await request.app[DB].fetchone("SELECT id FROM signage_displays WHERE id = ?", (display_id,)):
        raise Problem(404, "not_found", N_("Cet écran n'existe pas."))
    languages = await service.display_languages(request.app, display_id, request.app[SETTINGS].languages[0])
    return service.etagged(request, screen.agent_page(display_id, languages[0], languages))


@routes.post("/api/v1/displays/{id}/heartbeat", name="api_display_heartbeat", access=access.OWN_DISPLAY)
async def heartbeat(request: web.Request) -> web.Response:
    display_id = path_id(request)
    health, shown = service.health_fields(await read_json(request))
    now = time.time()

    await request.app[DB].write(lambda tx: store.seen(tx, display_id, now, health=health, shown_version=shown))
    version = await service.current_version(request.app, display_id)
    return json_response({"version": version})


@routes.get("/api/v1/announcements", name="api_announcements", access=STAFF)
async def announcements(request: web.Request) -> web.Response:
    return json_response({"announcements": await service.announcements(request.app)})


@routes.post("/api/v1/announcements", name="api_announcement_create", access=ORGANIZER)
async def create_announcement(request: web.Request) -> web.Response:
    fields = await service.announcement_fields(request.app, await read_json(request))
    now = time.time()
    new_id = await request.app[DB].write(lambda tx: store.save_announcement(tx, fields, now))
    return json_response({"id": new_id}, status=201)


@routes.put("/api/v1/announcements/{id}", name="api_announcement_update", access=ORGANIZER)
async def update_announcement(request: web.Request) -> web.Response:
    announcement_id = path_id(request)
    fields = await service.announcement_fields(request.app, await read_json(request))
    now = time.time()
    await request.app[DB].write(lambda tx: store.save_announcement(tx, fields, now, announcement_id))
    return json_response({"id": announcement_id})


@routes.delete("/api/v1/announcements/{id}", name="api_announcement_delete", access=ORGANIZER)
async def delete_announcement(request: web.Request) -> web.Response:
    announcement_id = path_id(request)
    await request.app[DB].write(lambda tx: store.delete_announcement(tx, announcement_id))
    return web.Response(status=204)
