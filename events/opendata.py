"""Open-data exports of the programme, at stable URLs, computed from the programme on each request.

| file | standard |
|---|---|
| `lieux-mediation-numerique.csv` | *Standard de données des lieux de médiation numérique* v1.0.2 (events.mednum) |
| `structures.json`, `services.json` | data·inclusion schema v1 (events.datainclusion) |
| `events.jsonld` | schema.org Events (events.jsonld) |
| `sessions.csv` | the occurrences of a date range, described by the Table Schema in `datapackage.json` |
| `sites.geojson` | GeoJSON (RFC 7946) points of the sites |
| `datapackage.json` | Frictionless Data Package describing every file above |

Each answer carries an ETag (a hash of the body) and Last-Modified, answers 304 when current, and
allows any origin to read it (CORS), as open data should.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

from aiohttp import web

from events import datainclusion, jsonld, mednum, queries
from events.api import parse_range
from events.pages import now, page
from quartier import csvout
from quartier.conditional import conditional
from quartier.i18n import gettext as _
from quartier.routing import PUBLIC, Routes
from quartier.templates import public_url
from quartier.typedefs import DB, SETTINGS

routes = Routes()

LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
# The standard's own Table Schema, at the version the file follows.
MEDNUM_SCHEMA = "https://raw.githubusercontent.com/LaMednum/standard-mediation-num/v1.0.2/schema.json"
SESSION_FIELDS = [
    ("session", "integer", "Identifiant de la séance (stable)"),
    ("date", "date", "Date locale de l'occurrence d'origine : avec la séance, son identité"),
    ("start", "datetime", "Début réel, heure locale avec son décalage UTC"),
    ("end", "datetime", "Fin réelle, heure locale avec son décalage UTC"),
    ("status", "string", "scheduled, cancelled, moved ou full"),
    ("reason", "string", "Motif public d'une annulation ou d'un déplacement"),
    ("title", "string", "Titre"),
    ("kind", "string", "permanence, atelier, acces-libre, forum, hackathon ou autre"),
    ("axis", "string", "acces-libre, accompagnement ou droits"),
    ("site", "string", "Identifiant du lieu (voir sites.geojson)"),
    ("site_name", "string", "Nom du lieu"),
    ("room", "string", "Salle"),
    ("audience", "string", "Publics, « | » entre plusieurs"),
    ("languages", "string", "Langues parlées (étiquettes BCP 47), « | » entre plusieurs"),
    ("registration", "boolean", "Sur inscription"),
    ("capacity", "integer", "Nombre de places, vide si sans limite"),
    ("free", "boolean", "Gratuit"),
    ("partner", "string", "Partenaire qui anime la séance"),
    ("url", "string", "Page publique de l'occurrence"),
]


async def _snapshot(request: web.Request) -> tuple[list[dict[str, Any]], list[dict[str, Any]], float | None]:
    def read(db):
        return queries.sites(db), queries.sessions(db, with_exceptions=True), queries.last_changed(db)

    return await request.app[DB].read(read)


def _answer(request: web.Request, body: str, content_type: str, changed: float | None) -> web.Response:
    # Every export depends on the day as well (dates of update, what is recent): never older than midnight.
    moment = now(request)
    midnight = dt.datetime.combine(moment.date(), dt.time.min, moment.tzinfo).timestamp()
    headers = {"Access-Control-Allow-Origin": "*"}
    return conditional(request, body.encode(), content_type, last_modified=max(changed or 0, midnight), headers=headers)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)


@routes.get("/open-data", name="events_open_data", access=PUBLIC)
async def index(request: web.Request) -> web.Response:
    """Every open-data file, its format, its standard and its licence."""
    sites, _sessions, _changed = await _snapshot(request)
    return page(
        request,
        "events/open_data.html",
        {
            "without_pivot": [s for s in sites if not s["siret"]],
            "without_place": [s for s in sites if s["latitude"] is None or s["longitude"] is None],
            "files": catalogue(),
        },
    )


@routes.get("/open-data/lieux-mediation-numerique.csv", name="events_open_data_places", access=PUBLIC)
async def places(request: web.Request) -> web.Response:
    """The sites in the national standard of *lieux de médiation numérique* v1.0.2."""
    sites, sessions, changed = await _snapshot(request)
    body = mednum.places_csv(sites, sessions, request.app[SETTINGS].tz, "Quartier")
    return _answer(request, body, "text/csv", changed)


@routes.get("/open-data/services.json", name="events_open_data_services", access=PUBLIC)
async def services(request: web.Request) -> web.Response:
    """One data·inclusion Service per recurring session."""
    sites, sessions, changed = await _snapshot(request)
    by_slug = {s["slug"]: s for s in sites}
    tz = request.app[SETTINGS].tz
    records = [datainclusion.service_record(request, s, by_slug[s["site"]], tz) for s in sessions if s["repeat_every"]]
    return _answer(request, _json(records), "application/json", changed)


@routes.get("/open-data/structures.json", name="events_open_data_structures", access=PUBLIC)
async def structures(request: web.Request) -> web.Response:
    """One data·inclusion Structure per site: every service's structure_id is one of them."""
    sites, sessions, changed = await _snapshot(request)
    tz = request.app[SETTINGS].tz
    records = [
        datainclusion.structure_record(request, site, [s for s in sessions if s["site"] == site["slug"]], tz)
        for site in sites
    ]
    return _answer(request, _json(records), "application/json", changed)


@routes.get("/open-data/events.jsonld", name="events_open_data_events", access=PUBLIC)
async def events(request: web.Request) -> web.Response:
    """The whole programme as schema.org Events (JSON-LD)."""
    sites, sessions, changed = await _snapshot(request)
    by_slug = {s["slug"]: s for s in sites}
    tz = request.app[SETTINGS].tz
    today = now(request).date()
    graph = [jsonld.session_event(request, s, by_slug[s["site"]], tz, today) for s in sessions]
    doc = {"@context": "https://schema.org", "@graph": graph}
    return _answer(request, _json(doc), "application/ld+json", changed)


def sessions_csv(request: web.Request, occurrences: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csvout.Writer(out, lineterminator="\r\n")
    writer.writerow([name for name, _type, _d in SESSION_FIELDS])
    for o in occurrences:
        row = {
            **o,
            "date": o["date"].isoformat(),
            "start": o["start"].isoformat(),
            "end": o["end"].isoformat(),
            "audience": "|".join(o["audience"]),
            "languages": "|".join(jsonld.language_tags(o["languages"])),
            "registration": "true" if o["registration"] else "false",
            "free": "true" if o["free"] else "false",
            "capacity": "" if o["capacity"] is None else o["capacity"],
            "url": public_url(request, f"/sessions/{o['session']}?date={o['date'].isoformat()}"),
        }
        writer.writerow([row[k] for k, _t, _d in SESSION_FIELDS])
    return out.getvalue()


@routes.get("/open-data/sessions.csv", name="events_open_data_sessions", access=PUBLIC)
async def sessions(request: web.Request) -> web.Response:
    """The occurrences of a date range (`from`, `to`: default the coming 7 days, 366 at most)."""
    start, end = parse_range(request)

    def read(db):
        return queries.occurrences(db, start, end), queries.last_changed(db)

    rows, changed = await request.app[DB].read(read)
    return _answer(request, sessions_csv(request, rows), "text/csv", changed)


def site_feature(request: web.Request, site: dict[str, Any], axes: list[str]) -> dict[str, Any]:
    point = None
    if site["latitude"] is not None and site["longitude"] is not None:
        point = {"type": "Point", "coordinates": [site["longitude"], site["latitude"]]}
    properties = {
        k: site[k]
        for k in ("slug", "name", "neighbourhood", "address", "postal_code", "commune", "insee", "opening_hours")
    }
    properties.update(
        itinerance="Itinérant" if site["mobile"] else "Fixe",
        accessibility=site["accessibility"],
        axes=axes,
        url=public_url(request, f"/sites/{site['slug']}"),
        calendar=public_url(request, f"/sites/{site['slug']}/calendar.ics"),
    )
    return {"type": "Feature", "id": site["slug"], "geometry": point, "properties": properties}


@routes.get("/open-data/sites.geojson", name="events_open_data_geojson", access=PUBLIC)
async def sites_geojson(request: web.Request) -> web.Response:
    """The sites as GeoJSON points (WGS 84, longitude first); a site without coordinates has no geometry."""
    sites, sessions, changed = await _snapshot(request)
    features = [
        site_feature(request, site, sorted({s["axis"] for s in sessions if s["site"] == site["slug"]}))
        for site in sites
    ]
    body = _json({"type": "FeatureCollection", "features": features})
    return _answer(request, body, "application/geo+json", changed)


def catalogue() -> list[dict[str, str]]:
    """The open-data files: route name, file name, format, media type, standard and a description."""
    return [
        {
            "route": "events_open_data_places",
            "file": "lieux-mediation-numerique.csv",
            "format": "csv",
            "mediatype": "text/csv",
            "standard": "Standard de données des lieux de médiation numérique v1.0.2",
            "standard_url": "https://github.com/LaMednum/standard-mediation-num",
            "description": _("Les lieux, au standard national des lieux de médiation numérique v1.0.2."),
        },
        {
            "route": "events_open_data_structures",
            "file": "structures.json",
            "format": "json",
            "mediatype": "application/json",
            "standard": "data·inclusion v1 (Structure)",
            "standard_url": "https://gip-inclusion.github.io/data-inclusion-schema/latest/",
            "description": _("Les lieux, en structures data·inclusion v1."),
        },
        {
            "route": "events_open_data_services",
            "file": "services.json",
            "format": "json",
            "mediatype": "application/json",
            "standard": "data·inclusion v1 (Service)",
            "standard_url": "https://gip-inclusion.github.io/data-inclusion-schema/latest/",
            "description": _("Un service data·inclusion v1 par séance régulière, rattaché à sa structure."),
        },
        {
            "route": "events_open_data_events",
            "file": "events.jsonld",
            "format": "jsonld",
            "mediatype": "application/ld+json",
            "standard": "schema.org Event (JSON-LD)",
            "standard_url": "https://schema.org/Event",
            "description": _("Tout le programme en événements schema.org : répétitions, annulations, déplacements."),
        },
        {
            "route": "events_open_data_sessions",
            "file": "sessions.csv",
            "format": "csv",
            "mediatype": "text/csv",
            "standard": "Table Schema (Frictionless), décrit dans datapackage.json",
            "standard_url": "https://specs.frictionlessdata.io/table-schema/",
            "description": _("Les séances d'une période (?from=AAAA-MM-JJ&to=AAAA-MM-JJ, 366 jours au plus)."),
        },
        {
            "route": "events_open_data_geojson",
            "file": "sites.geojson",
            "format": "geojson",
            "mediatype": "application/geo+json",
            "standard": "GeoJSON (RFC 7946)",
            "standard_url": "https://www.rfc-editor.org/rfc/rfc7946",
            "description": _("Les lieux sur une carte : coordonnées, adresse, horaires, itinérance."),
        },
    ]


@routes.get("/open-data/datapackage.json", name="events_open_data_package", access=PUBLIC)
async def datapackage(request: web.Request) -> web.Response:
    """A Frictionless Data Package describing every open-data file (paths relative to this document)."""
    _sites, _sessions, changed = await _snapshot(request)
    resources = []
    for f in catalogue():
        resource: dict[str, Any] = {
            "name": f["file"].rsplit(".", 1)[0].replace("_", "-"),
            "path": f["file"],
            "title": f["file"],
            "description": f["description"],
            "format": f["format"],
            "mediatype": f["mediatype"],
            "encoding": "utf-8",
            "sources": [{"title": f["standard"], "path": f["standard_url"]}],
            "licenses": [LICENCE],
        }
        if f["file"] == "lieux-mediation-numerique.csv":
            resource["schema"] = MEDNUM_SCHEMA
        if f["file"] == "sessions.csv":
            resource["schema"] = {
                "fields": [{"name": n, "type": t, "description": d} for n, t, d in SESSION_FIELDS],
                "primaryKey": ["session", "date"],
            }
        resources.append(resource)
    descriptor = {
        "name": "quartier-programme",
        "title": _("Programme de médiation numérique des espaces sociaux communs"),
        "description": _("Lieux, services et séances du programme, mis à jour à chaque changement."),
        "homepage": public_url(request, "/open-data"),
        "licenses": [LICENCE],
        "resources": resources,
    }
    return _answer(request, _json(descriptor), "application/json", changed)
