"""Open-data exports of the programme, at stable URLs, computed from the programme on each request.

- `/open-data/lieux-mediation-numerique.csv`: the sites, in the national *Standard de données des
  lieux de médiation numérique* v1.0.2 (LaMednum / ANCT), validated against its schema.json in the tests;
- `/open-data/services.json`: one data·inclusion `Service` (schema v1) per recurring session;
- `/open-data/events.jsonld`: the programme as schema.org Events (eventSchedule, eventStatus).

Each answer carries an ETag made of the bus's last change number and the day, so clients and
caches revalidate cheaply; the exports are rebuilt on request (a few milliseconds for the demo).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import Any

from aiohttp import web

from events import queries
from events.model import AXES, KINDS, Rule
from events.pages import EVENT_STATUS, now, page
from quartier.bus import last_seq_in
from quartier.i18n import gettext as _
from quartier.routing import PUBLIC, Routes
from quartier.templates import public_url
from quartier.typedefs import DB, SETTINGS

routes = Routes()

# The standard's columns, in its order (schema.json v1.0.2).
COLUMNS = [
    "id",
    "pivot",
    "nom",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "complement_adresse",
    "latitude",
    "longitude",
    "typologie",
    "telephone",
    "courriels",
    "site_web",
    "horaires",
    "presentation_resume",
    "presentation_detail",
    "source",
    "itinerance",
    "structure_parente",
    "date_maj",
    "services",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "frais_a_charge",
    "dispositif_programmes_nationaux",
    "formations_labels",
    "autres_formations_labels",
    "modalites_acces",
    "modalites_accompagnement",
    "fiche_acces_libre",
    "prise_rdv",
]

# What each axis offers, in the standard's vocabulary of `services`.
AXIS_SERVICES = {
    "acces-libre": "Accès internet et matériel informatique",
    "accompagnement": "Maîtrise des outils numériques du quotidien",
    "droits": "Aide aux démarches administratives",
}
AUDIENCE_SERVICES = {
    "demandeurs d'emploi": "Insertion professionnelle via le numérique",
    "jeunes": "Insertion professionnelle via le numérique",
    "familles": "Parentalité et éducation avec le numérique",
}
AUDIENCE_PUBLICS = {"jeunes": "Jeunes", "familles": "Familles et/ou enfants", "seniors": "Seniors"}
# How residents are accompanied, from the session's kind.
KIND_MODALITIES = {
    "acces-libre": "En autonomie",
    "permanence": "Accompagnement individuel",
    "atelier": "Dans un atelier collectif",
    "forum": "Dans un atelier collectif",
    "hackathon": "Dans un atelier collectif",
}
ACCESSIBILITY_CARE = {
    "hearing-loop": "Surdité",
    "sign-language": "Surdité",
    "step-free": "Handicaps moteurs",
    "falc": "Illettrisme",
}
SERVICE_ORDER = [
    "Aide aux démarches administratives",
    "Maîtrise des outils numériques du quotidien",
    "Insertion professionnelle via le numérique",
    "Parentalité et éducation avec le numérique",
    "Accès internet et matériel informatique",
]

# data·inclusion v1 vocabularies.
DI_TYPES = {
    "permanence": "accompagnement",
    "atelier": "atelier",
    "acces-libre": "aide-materielle",
    "forum": "information",
    "hackathon": "atelier",
    "autre": "information",
}
DI_THEMES = {
    "acces-libre": ["numerique--acceder-a-une-connexion-internet", "numerique--prendre-en-main-un-ordinateur"],
    "accompagnement": [
        "numerique--utiliser-le-numerique-au-quotidien",
        "numerique--prendre-en-main-un-smartphone-ou-une-tablette",
    ],
    "droits": ["numerique--realiser-des-demarches-administratives-avec-un-accompagnement"],
}
DI_PUBLICS = {
    "tous publics": "tous-publics",
    "seniors": "seniors",
    "jeunes": "jeunes",
    "familles": "familles",
    "personnes étrangères": "personnes-exilees",
    "demandeurs d'emploi": "demandeurs-emploi",
}
OSM_DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]


def _join(values: list[str]) -> str:
    return "|".join(dict.fromkeys(v for v in values if v))


def phone_e164(phone: str) -> str:
    """A French number in the standard's format (+33 then the number without its leading 0), or ''."""
    digits = re.sub(r"[^\d+]", "", phone)
    if digits.startswith("+33"):
        digits = digits[3:]
    elif digits.startswith("0033"):
        digits = digits[4:]
    elif digits.startswith("0"):
        digits = digits[1:]
    else:
        return ""
    return f"+33{digits}" if re.fullmatch(r"\d{9}", digits) else ""


def _date_of(timestamp: float, tz: Any) -> str:
    return dt.datetime.fromtimestamp(timestamp, tz).date().isoformat()


def place_row(site: dict[str, Any], sessions: list[dict[str, Any]], tz: Any, source: str) -> dict[str, str]:
    """One site as a row of the *lieux de médiation numérique* standard."""
    axes = sorted({s["axis"] for s in sessions})
    audiences = [a for s in sessions for a in s["audience"]]
    languages = {lang.lower() for s in sessions for lang in s["languages"]} - {"français", "francais", "french"}
    services = [AXIS_SERVICES[a] for a in axes] + [AUDIENCE_SERVICES[a] for a in audiences if a in AUDIENCE_SERVICES]
    care = [ACCESSIBILITY_CARE[a] for a in site["accessibility"] if a in ACCESSIBILITY_CARE]
    if "anglais" in languages or "english" in languages:
        care.append("Langues étrangères (anglais)")
    if languages - {"anglais", "english"}:
        care.append("Langues étrangères (autres)")
    access = []
    if any(not s["registration"] for s in sessions) or not sessions:
        access.append("Se présenter")
    if any(s["registration"] for s in sessions):
        access += ["Téléphoner"] if site["phone"] else []
        access += ["Contacter par mail"] if site["email"] else []
    kinds = [KIND_MODALITIES[s["kind"]] for s in sessions if s["kind"] in KIND_MODALITIES]
    updated = max([site["updated"]] + [s["updated"] for s in sessions])
    titles = sorted({s["title"] for s in sessions})
    summary = _("{name} : {n} séances gratuites de médiation numérique ({axes}).").format(
        name=site["name"], n=len(sessions), axes=", ".join(_(AXES[a]).lower() for a in axes) or "-"
    )
    return {
        "id": site["slug"],
        "pivot": site["siret"],
        "nom": site["name"],
        "commune": site["commune"],
        "code_postal": site["postal_code"],
        "code_insee": site["insee"],
        "adresse": site["address"],
        "complement_adresse": site["neighbourhood"] and _("Quartier {name}").format(name=site["neighbourhood"]),
        "latitude": "" if site["latitude"] is None else f"{site['latitude']:.6f}",
        "longitude": "" if site["longitude"] is None else f"{site['longitude']:.6f}",
        "typologie": site["typologie"],
        "telephone": phone_e164(site["phone"]),
        "courriels": site["email"],
        "site_web": site["website"],
        "horaires": site["opening_hours"],
        "presentation_resume": summary[:280],
        "presentation_detail": " ; ".join(titles),
        "source": source,
        "itinerance": "Fixe",
        "structure_parente": "",
        "date_maj": _date_of(updated, tz),
        "services": _join(sorted(services, key=SERVICE_ORDER.index)),
        "publics_specifiquement_adresses": _join([AUDIENCE_PUBLICS[a] for a in audiences if a in AUDIENCE_PUBLICS]),
        "prise_en_charge_specifique": _join(care),
        "frais_a_charge": "Gratuit" if all(s["free"] for s in sessions) else "Gratuit|Payant",
        "dispositif_programmes_nationaux": "",
        "formations_labels": "",
        "autres_formations_labels": "",
        "modalites_acces": _join(access),
        "modalites_accompagnement": _join(kinds),
        "fiche_acces_libre": "",
        "prise_rdv": "",
    }


def places_csv(sites: list[dict[str, Any]], sessions: list[dict[str, Any]], tz: Any, source: str) -> str:
    """The standard's CSV (comma-separated, every field quoted, UTF-8). Sites without a SIRET or RNA
    (`pivot`, required by the standard) are left out."""
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writeheader()
    for site in sites:
        if site["siret"]:
            writer.writerow(place_row(site, [s for s in sessions if s["site"] == site["slug"]], tz, source))
    return out.getvalue()


def weekly_hours(session: dict[str, Any]) -> float:
    """Hours per week a session offers on average: its duration over its period (1, 2... weeks; monthly: 52/12)."""
    start = dt.datetime.combine(dt.date(2000, 1, 3), dt.time.fromisoformat(session["start_time"]))
    end = dt.datetime.combine(dt.date(2000, 1, 3), dt.time.fromisoformat(session["end_time"]))
    length = (end - start).total_seconds() / 3600
    if session["repeat_every"] == "weekly":
        return round(length / session["repeat_interval"], 2)
    if session["repeat_every"] == "monthly":
        return round(length * 12 / 52 / session["repeat_interval"], 2)
    return round(length, 2)


def opening_hours_of(session: dict[str, Any]) -> str:
    """A weekly session's reception hours in OSM opening_hours syntax (e.g. "Tu 09:00-12:00")."""
    day = OSM_DAYS[dt.date.fromisoformat(session["first_date"]).weekday()]
    hours_ = f"{session['start_time']}-{session['end_time']}"
    if session["repeat_every"] == "weekly" and session["repeat_interval"] == 1:
        return f"{day} {hours_}; PH off"
    if session["repeat_every"] == "weekly":
        return f"week 01-53/{session['repeat_interval']} {day} {hours_}"
    nth = (dt.date.fromisoformat(session["first_date"]).day - 1) // 7 + 1
    return f"{day}[{nth}] {hours_}"


def weeks_between(first: dt.date, last: dt.date) -> int:
    return max(1, (last - first).days // 7 + 1)


def service_record(request: web.Request, s: dict[str, Any], site: dict[str, Any], tz: Any) -> dict[str, Any]:
    """One recurring session as a data·inclusion `Service` (schema v1)."""
    rule = Rule.of(s)
    first = rule.first
    last = rule.until or (list(rule.dates(first, first + dt.timedelta(days=3660)))[-1] if rule.count else None)
    description = s["description"] or _("{kind} gratuit(e), {axis} : {title}, à {site}.").format(
        kind=_(KINDS[s["kind"]]), axis=_(AXES[s["axis"]]).lower(), title=s["title"], site=site["name"]
    )
    if len(description) < 50:
        description += " " + _("Ouvert à toutes et à tous, sans compte ni adhésion.")
    name = s["title"].rstrip(".")[:150]
    publics = sorted({DI_PUBLICS[a] for a in s["audience"] if a in DI_PUBLICS}) or ["tous-publics"]
    modes = (
        ["se-presenter"]
        if not s["registration"]
        else (
            (["telephoner"] if site["phone"] else []) + (["envoyer-un-courriel"] if site["email"] else [])
            or ["se-presenter"]
        )
    )
    return {
        "source": "quartier",
        "structure_id": f"quartier--{site['slug']}",
        "id": f"quartier--{s['key']}",
        "nom": name if len(name) >= 3 else f"{name} ({_(KINDS[s['kind']])})",
        "description": description[:2000],
        "date_maj": _date_of(s["updated"], tz),
        "type": DI_TYPES[s["kind"]],
        "thematiques": DI_THEMES[s["axis"]],
        "frais": "gratuit" if s["free"] else "payant",
        "frais_precisions": None,
        "publics": publics,
        "publics_precisions": ", ".join(s["audience"]) or None,
        "conditions_acces": _("Sur inscription.") if s["registration"] else None,
        "commune": site["commune"] or None,
        "code_postal": site["postal_code"] or None,
        "code_insee": site["insee"] or None,
        "adresse": site["address"] or None,
        "complement_adresse": s["room"] or None,
        "longitude": site["longitude"],
        "latitude": site["latitude"],
        "telephone": phone_e164(site["phone"]) or None,
        "courriel": site["email"] or None,
        "modes_accueil": ["en-presentiel"],
        "zone_eligibilite": [site["insee"]] if site["insee"] else None,
        "contact_nom_prenom": None,
        "lien_mobilisation": public_url(request, f"/sessions/{s['id']}"),
        "modes_mobilisation": modes,
        "mobilisable_par": ["usagers", "professionnels"],
        "mobilisation_precisions": s["partner"] and _("Avec {partner}.").format(partner=s["partner"]),
        "volume_horaire_hebdomadaire": weekly_hours(s),
        "nombre_semaines": weeks_between(first, last) if last else None,
        "horaires_accueil": opening_hours_of(s),
        # Not in the Service schema: the site's typology and commune code, for territorial diagnoses.
        "extra": {"typologie_structure": site["typologie"] or None, "axe": s["axis"], "modalite": s["kind"]},
    }


def event_record(
    request: web.Request, s: dict[str, Any], site: dict[str, Any], tz: Any, today: dt.date
) -> dict[str, Any]:
    """A session as a schema.org Event: an eventSchedule when it repeats, a sub-event per exception."""
    rule = Rule.of(s)
    url = public_url(request, f"/sessions/{s['id']}")
    first_start = dt.datetime.combine(rule.first, rule.start, tz)
    first_end = dt.datetime.combine(rule.first, rule.end, tz)
    place = {
        "@type": "Place",
        "name": site["name"],
        "url": public_url(request, f"/sites/{site['slug']}"),
        "address": {
            "@type": "PostalAddress",
            "streetAddress": site["address"],
            "postalCode": site["postal_code"],
            "addressLocality": site["commune"],
            "addressCountry": "FR",
        },
        "additionalProperty": [
            {"@type": "PropertyValue", "propertyID": "code_insee", "value": site["insee"]},
            {"@type": "PropertyValue", "propertyID": "typologie", "value": site["typologie"]},
        ],
    }
    if site["latitude"] is not None:
        place["geo"] = {"@type": "GeoCoordinates", "latitude": site["latitude"], "longitude": site["longitude"]}
    ld: dict[str, Any] = {
        "@type": "Event",
        "@id": url,
        "name": s["title"],
        "description": s["description"] or _(KINDS[s["kind"]]),
        "url": url,
        "startDate": first_start.isoformat(),
        "endDate": first_end.isoformat(),
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "isAccessibleForFree": s["free"],
        "location": place,
        "inLanguage": s["languages"] or ["fr"],
        "audience": [{"@type": "Audience", "audienceType": a} for a in s["audience"]],
        "keywords": [s["axis"], s["kind"]],
    }
    if s["partner"]:
        ld["organizer"] = {"@type": "Organization", "name": s["partner"]}
        if s["partner_website"]:
            ld["organizer"]["url"] = s["partner_website"]
    if s["capacity"]:
        ld["maximumAttendeeCapacity"] = s["capacity"]
    if rule.every:
        schedule: dict[str, Any] = {
            "@type": "Schedule",
            "startDate": rule.first.isoformat(),
            "startTime": rule.start.strftime("%H:%M:%S"),
            "endTime": rule.end.strftime("%H:%M:%S"),
            "duration": f"PT{int((first_end - first_start).total_seconds() // 60)}M",
            "scheduleTimezone": s["timezone"],
            "byDay": f"https://schema.org/{first_start.strftime('%A')}",
            "repeatFrequency": f"P{rule.interval}W" if rule.every == "weekly" else f"P{rule.interval}M",
        }
        if rule.every == "monthly":
            schedule["byMonthWeek"] = (rule.first.day - 1) // 7 + 1
        if rule.until:
            schedule["endDate"] = rule.until.isoformat()
        if rule.count:
            schedule["repeatCount"] = rule.count
        ld["eventSchedule"] = schedule
        del ld["endDate"]
    subs = []
    for day_iso, e in sorted(s["exceptions"].items()):
        occ = queries.expand(s, dt.date.fromisoformat(day_iso), e, tz)
        if occ["start"].date() < today - dt.timedelta(days=31):
            continue
        sub = {
            "@type": "Event",
            "name": s["title"],
            "url": f"{url}?date={day_iso}",
            "startDate": occ["start"].isoformat(),
            "endDate": occ["end"].isoformat(),
            "eventStatus": f"https://schema.org/{EVENT_STATUS[occ['status']]}",
            "location": {"@id": place["url"]},
        }
        if occ["original_start"]:
            sub["previousStartDate"] = occ["original_start"].isoformat()
        if occ["reason"]:
            sub["description"] = occ["reason"]
        subs.append(sub)
    if subs:
        ld["subEvent"] = subs
    if not rule.every:
        only = s["exceptions"].get(rule.first.isoformat())
        if only:
            ld["eventStatus"] = f"https://schema.org/{EVENT_STATUS[only['status']]}"
    return ld


async def _snapshot(request: web.Request) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    def read(db):
        return queries.sites(db), queries.sessions(db, with_exceptions=True), last_seq_in(db)

    return await request.app[DB].read(read)


def _cached(request: web.Request, seq: int, body: str, content_type: str) -> web.Response:
    etag = f'"{seq}-{now(request).date().isoformat()}-{request.path.rsplit("/", 1)[-1]}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"}
    if request.headers.get("If-None-Match") == etag:
        return web.Response(status=304, headers=headers)
    return web.Response(text=body, content_type=content_type, charset="utf-8", headers=headers)


@routes.get("/open-data", name="events_open_data", access=PUBLIC)
async def index(request: web.Request) -> web.Response:
    """What the exports are, their formats, their licence."""
    sites, _sessions, _seq = await _snapshot(request)
    return page(request, "events/open_data.html", {"without_pivot": [s for s in sites if not s["siret"]]})


@routes.get("/open-data/lieux-mediation-numerique.csv", name="events_open_data_places", access=PUBLIC)
async def places(request: web.Request) -> web.Response:
    """The sites in the national standard of *lieux de médiation numérique* v1.0.2."""
    sites, sessions, seq = await _snapshot(request)
    body = places_csv(sites, sessions, request.app[SETTINGS].tz, "Quartier")
    return _cached(request, seq, body, "text/csv")


@routes.get("/open-data/services.json", name="events_open_data_services", access=PUBLIC)
async def services(request: web.Request) -> web.Response:
    """One data·inclusion Service per recurring session."""
    sites, sessions, seq = await _snapshot(request)
    by_slug = {s["slug"]: s for s in sites}
    tz = request.app[SETTINGS].tz
    records = [service_record(request, s, by_slug[s["site"]], tz) for s in sessions if s["repeat_every"]]
    return _cached(request, seq, json.dumps(records, ensure_ascii=False, indent=1), "application/json")


@routes.get("/open-data/events.jsonld", name="events_open_data_events", access=PUBLIC)
async def events(request: web.Request) -> web.Response:
    """The whole programme as schema.org Events (JSON-LD)."""
    sites, sessions, seq = await _snapshot(request)
    by_slug = {s["slug"]: s for s in sites}
    tz = request.app[SETTINGS].tz
    today = now(request).date()
    graph = [event_record(request, s, by_slug[s["site"]], tz, today) for s in sessions]
    doc = {"@context": "https://schema.org", "@graph": graph}
    return _cached(request, seq, json.dumps(doc, ensure_ascii=False, indent=1), "application/ld+json")
