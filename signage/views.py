"""Pages: the screen itself, the browser pairing page, and the staff pages."""

from __future__ import annotations

import time

from aiohttp import web

from quartier import images
from quartier.bus import last_seq_in
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields, path_id
from quartier.routing import ORGANIZER, PUBLIC, STAFF, Routes
from quartier.templates import render
from quartier.typedefs import DB, LANGUAGE, SETTINGS
from quartier.web import hashed_asset, redirect, set_cookie
from signage import access, changes, screen, service, store
from signage.api import throttle
from signage.snapshot import etag

routes = Routes()

CLAIM_COOKIE = "quartier_pairing"


def _url(request: web.Request, name: str, **parts: object) -> str:
    return str(request.app.router[name].url_for(**{k: str(v) for k, v in parts.items()}))


# -- the screen


@routes.get("/screens/pair", name="screen_pair", access=PUBLIC)
async def pair_page(request: web.Request) -> web.Response:
    """A browser screen (a TV) shows a code in large type and reloads until staff claim it.

    The claim secret stays in an HttpOnly cookie; once claimed, the display token is
    put in the screen cookie and the browser goes on to its screen page. Works without
    JavaScript (a meta refresh), as a TV browser may have little of it.
    """
    app = request.app
    claim_secret = request.cookies.get(CLAIM_COOKIE, "")
    if claim_secret:
        try:
            delivered = await service.deliver(app, claim_secret)
        except Problem:
            delivered, claim_secret = None, ""
        if delivered:
            response = redirect(_url(request, "screen", id=delivered["id"]))
            set_cookie(request, response, access.DISPLAY_COOKIE, delivered["token"], max_age=10 * 365 * 86400)
            response.del_cookie(CLAIM_COOKIE, path="/")
            return response
    code = None
    if claim_secret:
        row = await app[DB].fetchone(
            "SELECT code FROM signage_pairings WHERE claim_hash = ? AND state = 'waiting' AND expires > ?",
            (store.sha256(claim_secret), time.time()),
        )
        code = row["code"] if row else None
    fresh = None
    if code is None:
        await throttle(request, "signage-pair", per_minute=10, burst=20)
        fresh = await service.start_pairing(app)
        code, claim_secret = fresh["code"], fresh["claim"]
    response = render(
        request,
        "signage/pair.html",
        {
            "code": code,
            "code_display": f"{code[:3]} {code[3:]}",
            "staff_url": app[SETTINGS].base_url.rstrip("/") + _url(request, "signage_displays"),
        },
    )
    if fresh:
        set_cookie(request, response, CLAIM_COOKIE, claim_secret, max_age=int(store.PAIRING_TTL))
    return response


def _static(request: web.Request, name: str) -> str:
    """A signage static file's URL with its content hash."""
    resource = request.app.router["static_signage"]
    return str(resource.url_for(filename=name, append_version=True))  # type: ignore[arg-type]  # typed str, read as a flag


@routes.get("/screens/{id}", name="screen", access=access.STAFF_OR_OWN_DISPLAY)
async def screen_page(request: web.Request) -> web.Response:
    display_id = path_id(request)
    if "token" in request.query:
        # A link with ?token=: keep the token in the screen cookie, not in the address bar.
        rest = {k: v for k, v in request.query.items() if k != "token"}
        response = redirect(str(request.app.router["screen"].url_for(id=str(display_id)).with_query(rest)))
        set_cookie(request, response, access.DISPLAY_COOKIE, request.query["token"], max_age=10 * 365 * 86400)
        return response
    snap = await service.build_snapshot(request, display_id)
    is_screen = await access.display_id(request) == display_id
    html = screen.page_html(
        snapshot_url=_url(request, "api_display_snapshot", id=display_id),
        ws_url=str(request.app.router["ws"].url_for()),  # screen.js follows the snapshot's channels on it
        ws_follows_snapshot=True,
        heartbeat_url=_url(request, "api_display_heartbeat", id=display_id) if is_screen else "",
        display_id=display_id,
        css_url=_static(request, "screen.css"),
        js_url=_static(request, "screen.js"),
        initial=snap,
        initial_etag=etag(snap),
        languages=await service.display_languages(request.app, display_id, request[LANGUAGE]),
    )
    return web.Response(text=html, content_type="text/html", charset="utf-8")


@routes.get("/screens/assets/{name}", name="screen_asset", access=PUBLIC)
async def asset(request: web.Request) -> web.Response:
    """An announcement image, by content hash: immutable, so cached for a year."""
    name = request.match_info["name"]
    row = await request.app[DB].fetchone("SELECT content_type, data FROM signage_assets WHERE name = ?", (name,))
    return hashed_asset(row)


# -- staff: the registry


def _live(displays: list[dict], seq: int) -> dict[str, object]:
    """The staff pages follow their screens' channels: a screen that fetches its token shows as paired."""
    return {"channels": ",".join(changes.display_channel(d["id"]) for d in displays), "seq": seq}


@routes.get("/staff/screens", name="signage_displays", access=STAFF)
async def displays_page(request: web.Request) -> web.Response:
    seq = await request.app[DB].read(last_seq_in)
    displays = await service.registry(request)
    return render(
        request,
        "signage/displays.html",
        {
            "displays": displays,
            "sites": await service.sites(request.app),
            "orientations": service.ORIENTATIONS,
            **service.health_labels(),
            **_live(displays, seq),
        },
    )


@routes.post("/staff/screens/claim", name="signage_claim", access=ORGANIZER)
async def claim_form(request: web.Request) -> web.Response:
    await service.throttle_claims(request)
    display_id = await service.claim(request.app, await request.post())
    return redirect(_url(request, "signage_display", id=display_id))


@routes.get("/staff/screens/{id}", name="signage_display", access=STAFF)
async def display_page(request: web.Request) -> web.Response:
    display_id = path_id(request)
    seq = await request.app[DB].read(last_seq_in)
    found = [d for d in await service.registry(request) if d["id"] == display_id]
    if not found:
        raise Problem(404, "not_found", N_("Cet écran n'existe pas."))
    return render(
        request,
        "signage/display.html",
        {
            "display": found[0],
            "sites": await service.sites(request.app),
            "orientations": service.ORIENTATIONS,
            **service.health_labels(),
            **_live(found, seq),
        },
    )


@routes.post("/staff/screens/{id}", name="signage_display_update", access=ORGANIZER)
async def display_update(request: web.Request) -> web.Response:
    display_id = path_id(request)
    form = dict(await request.post())
    form["always_on"] = form.get("always_on", "0")  # an unticked box sends nothing
    form.setdefault("hours_override", "")
    fields = await service.display_fields(request.app, form)
    now = time.time()
    await request.app[DB].write(lambda tx: store.update_display(tx, display_id, fields, now))
    return redirect(_url(request, "signage_display", id=display_id))


@routes.post("/staff/screens/{id}/revoke", name="signage_display_revoke", access=ORGANIZER)
async def display_revoke(request: web.Request) -> web.Response:
    display_id = path_id(request)
    now = time.time()
    await request.app[DB].write(lambda tx: store.revoke(tx, display_id, now))
    await service.close_screen_sockets(request.app, display_id)
    return redirect(_url(request, "signage_display", id=display_id))


@routes.post("/staff/screens/{id}/repair", name="signage_display_repair", access=ORGANIZER)
async def display_repair(request: web.Request) -> web.Response:
    """Give an existing screen (same name, site, history) to a new device showing a code."""
    display_id = path_id(request)
    form = await request.post()
    row = await request.app[DB].fetchone(
        "SELECT name, site, orientation FROM signage_displays WHERE id = ?", (display_id,)
    )
    if row is None:
        raise Problem(404, "not_found", N_("Cet écran n'existe pas."))
    await service.throttle_claims(request)
    await service.claim(request.app, {**row, "code": form.get("code", ""), "display": display_id})
    return redirect(_url(request, "signage_display", id=display_id))


@routes.post("/staff/screens/{id}/delete", name="signage_display_delete", access=ORGANIZER)
async def display_delete(request: web.Request) -> web.Response:
    display_id = path_id(request)
    await request.app[DB].write(lambda tx: store.delete_display(tx, display_id))
    await service.close_screen_sockets(request.app, display_id)
    return redirect(_url(request, "signage_displays"))


# -- staff: announcements


async def _with_image(request: web.Request, form, fields: dict) -> dict:
    upload = form.get("image")
    if isinstance(upload, web.FileField):
        data = upload.file.read(images.MAX_IMAGE_BYTES + 1)
        if data:
            extension, content_type = images.sniff(data)
            now = time.time()
            fields["image"] = await request.app[DB].write(
                lambda tx: store.save_asset(tx, data, extension, content_type, now)
            )
    # The image's text alternative comes with it from the staff form (the JSON API keeps both).
    fields["image_alt"] = Fields(form).text("image_alt", max_length=200)
    if form.get("remove_image"):
        fields["image"], fields["image_alt"] = None, ""
    return fields


@routes.get("/staff/announcements", name="signage_announcements", access=STAFF)
async def announcements_page(request: web.Request) -> web.Response:
    return render(
        request,
        "signage/announcements.html",
        {
            "announcements": await service.announcements(request.app),
            "sites": await service.sites(request.app),
            "displays": await service.registry(request),
            "announcement": None,
            "max_kb": images.MAX_IMAGE_BYTES // 1024,
        },
    )


@routes.post("/staff/announcements", name="signage_announcement_create", access=ORGANIZER)
async def announcement_create(request: web.Request) -> web.Response:
    form = await request.post()
    fields = await _with_image(request, form, await service.announcement_fields(request.app, form))
    now = time.time()
    await request.app[DB].write(lambda tx: store.save_announcement(tx, fields, now))
    return redirect(_url(request, "signage_announcements"))


@routes.get("/staff/announcements/{id}", name="signage_announcement", access=STAFF)
async def announcement_page(request: web.Request) -> web.Response:
    announcement_id = path_id(request)
    found = [a for a in await service.announcements(request.app) if a["id"] == announcement_id]
    if not found:
        raise Problem(404, "not_found", N_("Cette annonce n'existe pas."))
    return render(
        request,
        "signage/announcement.html",
        {
            "announcement": found[0],
            "sites": await service.sites(request.app),
            "displays": await service.registry(request),
            "max_kb": images.MAX_IMAGE_BYTES // 1024,
        },
    )


@routes.post("/staff/announcements/{id}", name="signage_announcement_update", access=ORGANIZER)
async def announcement_update(request: web.Request) -> web.Response:
    announcement_id = path_id(request)
    form = await request.post()
    fields = await _with_image(request, form, await service.announcement_fields(request.app, form))
    now = time.time()
    await request.app[DB].write(lambda tx: store.save_announcement(tx, fields, now, announcement_id))
    return redirect(_url(request, "signage_announcements"))


@routes.post("/staff/announcements/{id}/delete", name="signage_announcement_delete", access=ORGANIZER)
async def announcement_delete(request: web.Request) -> web.Response:
    announcement_id = path_id(request)
    await request.app[DB].write(lambda tx: store.delete_announcement(tx, announcement_id))
    return redirect(_url(request, "signage_announcements"))
