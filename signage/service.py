"""What the API and the staff pages share: input checks, snapshot answers, the registry view."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import time
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from events import queries as programme
from events.model import SLUG_RE
from quartier.db import encode
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.inputs import Fields
from quartier.typedefs import DB, LIMITER, SETTINGS, USER
from quartier.ws import revoke
from signage import changes, snapshot, store

ORIENTATIONS = ("landscape", "portrait")
# A screen whose agent or page has not been heard from for this long, while it should be on, is flagged.
UNSEEN_AFTER = 120.0


def links(app: web.Application) -> snapshot.Links:
    return snapshot.Links(base_url=app[SETTINGS].base_url)


async def sites(app: web.Application) -> list[dict[str, Any]]:
    """The sites staff can put a screen at (slug, name)."""
    return await app[DB].read(lambda db: [{"slug": s["slug"], "name": s["name"]} for s in programme.sites(db)])


async def check_site(app: web.Application, slug: str) -> str:
    known = await app[DB].read(lambda db: programme.site(db, slug)) if SLUG_RE.match(slug) else None
    if known is None:
        raise Problem(422, "unknown_site", N_("Le lieu « {site} » n'existe pas."), site=slug)
    return slug


def check_hours(expression: str) -> str:
    if expression and snapshot.open_intervals(expression, dt.date.today(), 1, ZoneInfo("UTC")) is None:
        raise Problem(
            422,
            "invalid_field",
            N_("Horaires invalides : syntaxe OpenStreetMap attendue (ex. « Mo-Fr 09:00-12:00,14:00-17:30 »)."),
        )
    return expression


async def display_fields(app: web.Application, data: Any) -> dict[str, Any]:
    """Editable fields of a screen present in a JSON body or a form, checked (a blank name or site changes nothing)."""
    f = Fields(data)
    given = {
        "name": f.text("name", max_length=80),
        "site": f.text("site", max_length=64),
        "orientation": f.choice("orientation", ORIENTATIONS),
        "margin_minutes": f.integer("margin_minutes", minimum=0, maximum=240),
    }
    fields: dict[str, Any] = {k: v for k, v in given.items() if v not in (None, "")}
    if f.has("hours_override"):
        fields["hours_override"] = check_hours(f.text("hours_override", max_length=400))
    if f.has("always_on"):
        fields["always_on"] = int(f.boolean("always_on"))
    if f.has("languages"):
        fields["languages"] = ",".join(screen_languages(app, f))
    if "site" in fields:
        await check_site(app, fields["site"])
    return fields


async def display_languages(app: web.Application, display_id: int, fallback: str) -> list[str]:
    """The languages a screen was set to (those the server still offers), else just `fallback`."""
    row = await app[DB].fetchone("SELECT languages FROM signage_displays WHERE id = ?", (display_id,))
    offered = app[SETTINGS].languages
    chosen = [code for code in (row["languages"] if row else "").split(",") if code in offered]
    return chosen or [fallback]


def screen_languages(app: web.Application, f: Fields) -> list[str]:
    """One or two of the server's languages ("fr, ar"), which the screen's fixed labels alternate in."""
    known = app[SETTINGS].languages
    chosen = [code.lower() for code in f.strings("languages", max_items=2, max_length=8)]
    if any(code not in known for code in chosen):
        f.fail("languages", N_("Une ou deux langues parmi : {languages}."), languages=", ".join(known))
    return chosen


async def start_pairing(app: web.Application) -> dict[str, Any]:
    claim = secrets.token_urlsafe(24)
    now = time.time()
    code = await app[DB].write(lambda tx: store.start_pairing(tx, claim, now))
    return {"code": code, "claim": claim, "expires": now + store.PAIRING_TTL}


# Pairing codes are short enough to type: guessing them is throttled per staff account
# and per address (a person claims a few screens a day, with a typo now and then).
CLAIM_LIMIT = (10, 8)  # per minute, burst


async def throttle_claims(request: web.Request) -> None:
    """A 429 once an account or an address has tried too many pairing codes."""
    user = request.get(USER)
    await request.app[LIMITER].enforce(
        [
            (f"signage-claim:user:{user.name if user else ''}", *CLAIM_LIMIT),
            (f"signage-claim:addr:{request.remote}", *CLAIM_LIMIT),
        ],
        N_("Trop de codes essayés : réessayez dans {seconds} secondes."),
    )


async def claim(app: web.Application, data: Any) -> int:
    """Claim the screen showing a pairing code: it gets a site, a name (or takes an existing screen's place)."""
    f = Fields(data)
    code = f.text("code", max_length=20, required=True)
    site = await check_site(app, f.text("site", max_length=64, required=True))
    name = f.text("name", max_length=80, required=True)
    orientation = f.choice("orientation", ORIENTATIONS, "landscape")
    display_id = f.id("display")
    now = time.time()
    claimed = await app[DB].write(
        lambda tx: store.claim(tx, code, site=site, name=name, orientation=orientation, display_id=display_id, now=now)
    )
    if display_id is not None:  # an existing screen given to a new device: the old one's sockets go
        await close_screen_sockets(app, display_id)
    return claimed


async def deliver(app: web.Application, claim_secret: str) -> dict[str, Any] | None:
    """None while the code waits; {"id", "token"} once claimed (only this once)."""
    if not claim_secret or len(claim_secret) > 100:
        raise Problem(404, "unknown_claim", N_("Ce jumelage est inconnu ou déjà terminé."))
    token = store.new_token()
    now = time.time()
    display_id = await app[DB].write(lambda tx: store.deliver(tx, claim_secret, token, now))
    if display_id is None:
        return None
    return {"id": display_id, "token": token}


async def build_snapshot(request: web.Request, display_id: int) -> dict[str, Any]:
    settings = request.app[SETTINGS]
    link = links(request.app)
    now = dt.datetime.now(settings.tz)
    found = await request.app[DB].read(
        lambda db: snapshot.build(db, display_id, tz=settings.tz, links=link, now=now, language=settings.languages[0])
    )
    if found is None:
        raise Problem(404, "not_found", N_("Cet écran n'existe pas."))
    found["server_time"] = now.isoformat()
    return found


async def close_screen_sockets(app: web.Application, display_id: int) -> None:
    """A revoked, re-paired or deleted screen: the sockets its old token opened close at once."""
    channel = changes.display_channel(display_id)
    await revoke(app, screens_of=channel)


async def current_version(app: web.Application, display_id: int) -> int:
    """The version of the snapshot the screen would get now (the newest change on its channels)."""

    def read(db: Any) -> int:
        display = snapshot.display_row(db, display_id)
        return snapshot.current_version(db, display) if display else 0

    return await app[DB].read(read)


def snapshot_response(request: web.Request, snap: dict[str, Any]) -> web.Response:
    """The snapshot with its ETag; 304 when the client already has this content."""
    return etagged(request, snap, snapshot.etag(snap))


def etagged(request: web.Request, data: dict[str, Any], tag: str | None = None) -> web.Response:
    """JSON with an ETag (by default a hash of the body); 304 when the client already has it."""
    body = encode(data)
    tag = tag or '"' + hashlib.sha256(body.encode()).hexdigest()[:24] + '"'
    headers = {"ETag": tag, "Cache-Control": "no-cache"}
    asked = {t.strip().removeprefix("W/") for t in request.headers.get("If-None-Match", "").split(",")}
    if tag in asked or "*" in asked:
        return web.Response(status=304, headers=headers)
    return web.Response(text=body, content_type="application/json", headers=headers)


# The display agent shipped with this server (displays.AGENT_VERSION; a test keeps them equal):
# the staff page flags a screen whose agent is older.
AGENT_VERSION = "0.2.0"
POWER_CONTROLS = {
    "cec": N_("veille par HDMI-CEC"),
    "kiosk": N_("veille par arrêt du kiosque (HDMI coupé)"),
    "wlr-randr": N_("sortie éteinte par wlr-randr"),
    "vcgencmd": N_("éteint par vcgencmd"),
    "custom": N_("éteint par les commandes de display.yaml"),
    "none": N_("ne s'éteint pas (page noire hors horaires)"),
}
HEALTH_NUMBERS = ("uptime", "load", "memory", "memory_total", "temperature", "disk", "disk_total")


def health_fields(data: dict[str, Any]) -> tuple[dict[str, Any], int | None]:
    """A heartbeat's fields. Telemetry is read loosely: a wrong value is dropped, never refused, so a
    screen with an odd sensor still counts as seen (the problems collected are left unread)."""
    f = Fields(data, collect=True)
    shown = f.integer("snapshot_version", minimum=0)
    read: dict[str, Any] = {
        "agent": f.text("agent", max_length=80),
        "agent_version": f.text("agent_version", max_length=80),
        **{key: f.number(key, minimum=-1e15, maximum=1e15) for key in HEALTH_NUMBERS if key != "load"},
        "load": f.numbers("load", minimum=0, maximum=1e6, max_items=3) or None,
        "browser_alive": f.boolean("browser_alive") if f.has("browser_alive") else None,
        "power_control": f.choice("power_control", POWER_CONTROLS),
        "snapshot_version": shown,
    }
    if read["power_control"]:
        read["power_ok"] = f.boolean("power_ok", True)
    health = {k: v for k, v in read.items() if v not in (None, "")}
    health["received"] = time.time()
    return health, shown


def health_labels() -> dict[str, Any]:
    """What the screens' health column needs: the shipped agent version, power controls in words."""
    return {"agent_version": AGENT_VERSION, "power_labels": {k: _(v) for k, v in POWER_CONTROLS.items()}}


def outdated(version: Any) -> bool:
    """An agent older than the one this server ships (a browser, reporting no version, is never old)."""
    if not isinstance(version, str):
        return False

    def parts(v: str) -> tuple[int, ...]:
        return tuple(int(p) if p.isdigit() else 0 for p in v.split(".")[:3])

    return parts(version) < parts(AGENT_VERSION)


async def registry(request: web.Request) -> list[dict[str, Any]]:
    """Every screen with its monitoring state, for the staff page and GET /api/v1/displays."""
    settings = request.app[SETTINGS]
    now = dt.datetime.now(settings.tz)

    def read(db) -> list[dict[str, Any]]:
        out = []
        names = {s["slug"]: s["name"] for s in programme.sites(db)}
        claimed = {r[0] for r in db.conn.execute("SELECT display_id FROM signage_pairings WHERE state = 'claimed'")}
        for row in db.conn.execute("SELECT * FROM signage_displays ORDER BY site, name, id"):
            d = dict(row)
            site = snapshot.site_of(db, d["site"], settings.tz)
            tz = snapshot.ZoneInfo(site.get("timezone") or settings.tz.key)
            info = snapshot.power(d, site, now.astimezone(tz).date(), tz)
            on = snapshot.should_be_on(info, now)
            unseen = d["last_seen"] is None or now.timestamp() - d["last_seen"] > UNSEEN_AFTER
            health = json.loads(d["health"])
            version = snapshot.current_version(db, d)
            out.append(
                {
                    "id": d["id"],
                    "name": d["name"],
                    "site": d["site"],
                    "site_name": names.get(d["site"], d["site"]),
                    "orientation": d["orientation"],
                    "paired": d["token_hash"] is not None,
                    # Claimed by staff, its token not yet fetched by the screen (it polls every few seconds).
                    "claimed": d["token_hash"] is None and d["id"] in claimed,
                    "version": version,
                    "shown_version": d["shown_version"],
                    "up_to_date": d["shown_version"] is not None and d["shown_version"] >= version,
                    "last_seen": dt.datetime.fromtimestamp(d["last_seen"], settings.tz).isoformat()
                    if d["last_seen"]
                    else None,
                    "health": health,
                    "agent_outdated": outdated(health.get("agent_version")),
                    "should_be_on": on,
                    "flagged": bool(d["token_hash"]) and on and unseen,
                    "margin_minutes": d["margin_minutes"],
                    "hours_override": d["hours_override"],
                    "always_on": bool(d["always_on"]),
                }
            )
        return out

    return await request.app[DB].read(read)


# -- announcements


async def announcement_fields(app: web.Application, data: Any) -> dict[str, Any]:
    """An announcement's fields from JSON or the staff form: what, when, how urgent, for which screens."""
    tz = app[SETTINGS].tz
    f = Fields(data)
    fields: dict[str, Any] = {
        "title": f.text("title", max_length=120, required=True),
        "body": f.text("body", max_length=600, multiline=True),
        "starts": f.datetime("starts", tz=tz),
        "ends": f.datetime("ends", tz=tz),
        "priority": f.integer("priority", minimum=0, maximum=10, default=0),
        "urgent": int(f.boolean("urgent")),
        "target": f.choice("target", ("all", "sites", "displays"), "all"),
        "sites": [],
        "displays": [],
    }
    if fields["starts"] and fields["ends"] and fields["ends"] <= fields["starts"]:
        raise Problem(422, "invalid_field", N_("La fin doit venir après le début."))
    for moment in ("starts", "ends"):
        fields[moment] = fields[moment].isoformat() if fields[moment] else None
    # Both lists are read (a malformed one is refused whatever the target); the target's is kept.
    slugs = f.strings("sites", max_items=100, max_length=64, required=fields["target"] == "sites", message=_ONE_SITE)
    displays = f.ids("displays", required=fields["target"] == "displays", message=_ONE_SCREEN)
    if fields["target"] == "sites":
        fields["sites"] = [await check_site(app, s) for s in slugs]
    elif fields["target"] == "displays":
        fields["displays"] = displays
    return fields


_ONE_SITE = {"required": N_("Choisissez au moins un lieu.")}
_ONE_SCREEN = {"required": N_("Choisissez au moins un écran.")}


def announcement_view(row: dict[str, Any]) -> dict[str, Any]:
    a = dict(row)
    a["sites"] = json.loads(a["sites"])
    a["displays"] = json.loads(a["displays"])
    a["urgent"] = bool(a["urgent"])
    a["image"] = f"/screens/assets/{a['image']}" if a["image"] else None
    return a


async def announcements(app: web.Application) -> list[dict[str, Any]]:
    rows = await app[DB].fetchall("SELECT * FROM signage_announcements ORDER BY urgent DESC, priority DESC, id DESC")
    return [announcement_view(r) for r in rows]
