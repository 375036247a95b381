"""What the API and the staff pages share: input checks, snapshot answers, the registry view."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
import time
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from events import queries as programme
from quartier.api import int_field, text_field
from quartier.db import encode
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.typedefs import DB, LIMITER, SETTINGS, USER
from signage import snapshot, store

ORIENTATIONS = ("landscape", "portrait")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
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


def orientation_field(data: Any, required: bool = False) -> str | None:
    value = text_field(data, "orientation", max_length=20, required=required, default="")
    if not value:
        return None
    if value not in ORIENTATIONS:
        raise Problem(
            422, "invalid_field", N_("Le champ « {field} » doit valoir landscape ou portrait."), field="orientation"
        )
    return value


def check_hours(expression: str) -> str:
    if expression and snapshot.open_intervals(expression, dt.date.today(), 1, ZoneInfo("UTC")) is None:
        raise Problem(
            422,
            "invalid_field",
            N_("Horaires invalides : syntaxe OpenStreetMap attendue (ex. « Mo-Fr 09:00-12:00,14:00-17:30 »)."),
        )
    return expression


async def display_fields(app: web.Application, data: Any) -> dict[str, Any]:
    """Editable fields of a screen present in a JSON body or a form, checked."""
    fields: dict[str, Any] = {}
    if data.get("name") not in (None, ""):
        fields["name"] = text_field(data, "name", max_length=80)
    if data.get("site") not in (None, ""):
        fields["site"] = await check_site(app, text_field(data, "site", max_length=64))
    if (orientation := orientation_field(data)) is not None:
        fields["orientation"] = orientation
    if data.get("margin_minutes") not in (None, ""):
        fields["margin_minutes"] = int_field(data, "margin_minutes", minimum=0, maximum=240)
    if "hours_override" in data:
        fields["hours_override"] = check_hours(text_field(data, "hours_override", max_length=400, required=False))
    if "always_on" in data:
        value = data.get("always_on")
        fields["always_on"] = 1 if value in (True, 1, "1", "on", "true") else 0
    return fields


async def start_pairing(app: web.Application) -> dict[str, Any]:
    claim = secrets.token_urlsafe(24)
    now = time.time()
    code = await app[DB].write(lambda tx: store.start_pairing(tx, claim, now))
    return {"code": code, "claim": claim, "expires": now + store.PAIRING_TTL}


# Pairing codes are short enough to type: guessing them is throttled per staff account
# and per address (a person claims a few screens a day, with a typo now and then).
CLAIM_LIMIT = (10, 8)  # per minute, burst


def throttle_claims(request: web.Request) -> None:
    """A 429 once an account or an address has tried too many pairing codes."""
    user = request.get(USER)
    for key in (f"signage-claim:user:{user.name if user else ''}", f"signage-claim:addr:{request.remote}"):
        wait = request.app[LIMITER].hit(key, per_minute=CLAIM_LIMIT[0], burst=CLAIM_LIMIT[1])
        if wait:
            raise Problem(
                429,
                "rate_limited",
                N_("Trop de codes essayés : réessayez dans {seconds} secondes."),
                headers={"Retry-After": str(wait)},
                seconds=wait,
            )


async def claim(app: web.Application, data: Any) -> int:
    code = text_field(data, "code", max_length=20)
    site = await check_site(app, text_field(data, "site", max_length=64))
    name = text_field(data, "name", max_length=80)
    orientation = orientation_field(data) or "landscape"
    display = data.get("display")
    display_id = int_field(data, "display", required=False, minimum=1) if display not in (None, "") else None
    now = time.time()
    return await app[DB].write(
        lambda tx: store.claim(tx, code, site=site, name=name, orientation=orientation, display_id=display_id, now=now)
    )


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
    """A heartbeat's fields, loosely checked: numbers stay numbers, text stays short."""
    health: dict[str, Any] = {}
    for key in ("agent", "agent_version"):
        if data.get(key) is not None:
            health[key] = text_field(data, key, max_length=80, required=False)
    for key in HEALTH_NUMBERS:
        value = data.get(key)
        if isinstance(value, list):
            value = [v for v in value[:3] if isinstance(v, (int, float)) and not isinstance(v, bool)]
        elif not isinstance(value, (int, float)) or isinstance(value, bool):
            value = None
        if value is not None:
            health[key] = value
    if "browser_alive" in data:
        health["browser_alive"] = bool(data["browser_alive"])
    if data.get("power_control") in POWER_CONTROLS:
        health["power_control"] = data["power_control"]
        health["power_ok"] = data.get("power_ok") is not False
    shown = data.get("snapshot_version")
    shown = shown if isinstance(shown, int) and not isinstance(shown, bool) and shown >= 0 else None
    if shown is not None:
        health["snapshot_version"] = shown
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


def _when(data: Any, name: str, tz: dt.tzinfo) -> str | None:
    """An aware ISO datetime from JSON (ISO, with or without offset) or a datetime-local field."""
    raw = text_field(data, name, max_length=40, required=False)
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise Problem(
            422, "invalid_field", N_("Le champ « {field} » doit être une date et une heure."), field=name
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.isoformat()


def _list(data: Any, name: str) -> list[Any]:
    if hasattr(data, "getall"):
        return [v for v in data.getall(name, []) if v != ""]
    value = data.get(name) or []
    if not isinstance(value, list):
        raise Problem(422, "invalid_field", N_("Le champ « {field} » doit être une liste."), field=name)
    return value


async def announcement_fields(app: web.Application, data: Any) -> dict[str, Any]:
    tz = app[SETTINGS].tz
    fields: dict[str, Any] = {
        "title": text_field(data, "title", max_length=120),
        "body": text_field(data, "body", max_length=600, required=False),
        "starts": _when(data, "starts", tz),
        "ends": _when(data, "ends", tz),
        "priority": int_field(data, "priority", required=False, minimum=0, maximum=10) or 0,
        "urgent": 1 if data.get("urgent") in (True, 1, "1", "on", "true") else 0,
    }
    if fields["starts"] and fields["ends"] and fields["ends"] <= fields["starts"]:
        if dt.datetime.fromisoformat(fields["ends"]) <= dt.datetime.fromisoformat(fields["starts"]):
            raise Problem(422, "invalid_field", N_("La fin doit venir après le début."))
    target = text_field(data, "target", max_length=20, required=False, default="all")
    if target not in ("all", "sites", "displays"):
        raise Problem(
            422, "invalid_field", N_("Le champ « {field} » doit valoir all, sites ou displays."), field="target"
        )
    fields["target"] = target
    fields["sites"] = []
    fields["displays"] = []
    if target == "sites":
        slugs = [str(s) for s in _list(data, "sites")]
        if not slugs:
            raise Problem(422, "missing_field", N_("Choisissez au moins un lieu."))
        fields["sites"] = [await check_site(app, s) for s in slugs]
    elif target == "displays":
        ids = []
        for v in _list(data, "displays"):
            if isinstance(v, str) and v.isdigit():
                v = int(v)
            if not isinstance(v, int) or isinstance(v, bool):
                raise Problem(422, "invalid_field", N_("Le champ « {field} » doit être une liste."), field="displays")
            ids.append(v)
        if not ids:
            raise Problem(422, "missing_field", N_("Choisissez au moins un écran."))
        fields["displays"] = ids
    return fields


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
