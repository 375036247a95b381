"""data·inclusion v1: one `Service` per recurring session and one `Structure` per site.

Every value comes from the official v1 vocabularies (the `data-inclusion-schema` package,
`data_inclusion.schema.v1`, validates both files in the tests): numérique and access-to-rights
thématiques, `tous-publics` alone or specific publics, never both. Every service's
`structure_id` is the `id` of a structure in `structures.json`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from events import thematiques
from events.mednum import _date_of, phone_e164
from events.model import AXES, KINDS, Rule
from quartier.i18n import gettext as _
from quartier.templates import public_url

SOURCE = "quartier"

DI_TYPES = {
    "permanence": "accompagnement",
    "atelier": "atelier",
    "acces-libre": "aide-materielle",
    "forum": "information",
    "hackathon": "atelier",
    "formation": "formation",
    "autre": "information",
}
OSM_DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]


def structure_id(site: dict[str, Any]) -> str:
    return f"{SOURCE}--{site['slug']}"


def structure_record(request: web.Request, site: dict[str, Any], sessions: list[dict[str, Any]], tz: Any) -> dict:
    """One site as a data·inclusion `Structure` (schema v1)."""
    updated = max([site["updated"]] + [s["updated"] for s in sessions])
    axes = sorted({s["axis"] for s in sessions})
    description = _("{name} : lieu de médiation numérique gratuit, ouvert à toutes et à tous.").format(
        name=site["name"]
    )
    if axes:
        description += " " + _("Séances : {axes}.").format(axes=", ".join(_(AXES[a]).lower() for a in axes))
    siret = site["siret"] if site["siret"].isdigit() and len(site["siret"]) == 14 else None
    return {
        "source": SOURCE,
        "id": structure_id(site),
        "nom": site["name"].rstrip(".")[:150],
        "date_maj": _date_of(updated, tz),
        "description": description,
        "lien_source": public_url(request, f"/sites/{site['slug']}"),
        "siret": siret,
        "commune": site["commune"] or None,
        "code_postal": site["postal_code"] or None,
        "code_insee": site["insee"] or None,
        "adresse": site["address"] or None,
        "complement_adresse": site["neighbourhood"] or None,
        "longitude": site["longitude"],
        "latitude": site["latitude"],
        "telephone": phone_e164(site["phone"]) or None,
        "courriel": site["email"] or None,
        "site_web": site["website"] or None,
        "horaires_accueil": site["opening_hours"] or None,
        "accessibilite_lieu": None,
        "reseaux_porteurs": None,
    }


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
    modes = (
        ["se-presenter"]
        if not s["registration"]
        else (
            (["telephoner"] if site["phone"] else []) + (["envoyer-un-courriel"] if site["email"] else [])
            or ["se-presenter"]
        )
    )
    return {
        "source": SOURCE,
        "structure_id": structure_id(site),
        "id": f"{SOURCE}--{s['key']}",
        "nom": name if len(name) >= 3 else f"{name} ({_(KINDS[s['kind']])})",
        "description": description[:2000],
        "lien_source": public_url(request, f"/sessions/{s['id']}"),
        "date_maj": _date_of(s["updated"], tz),
        "type": DI_TYPES[s["kind"]],
        "thematiques": thematiques.of_session(s),
        "frais": "gratuit" if s["free"] else "payant",
        "frais_precisions": None,
        "publics": thematiques.publics(s["audience"]),
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
        "mobilisation_precisions": _("Avec {partner}.").format(partner=s["partner"]) if s["partner"] else None,
        "volume_horaire_hebdomadaire": weekly_hours(s),
        "nombre_semaines": weeks_between(first, last) if last else None,
        "horaires_accueil": opening_hours_of(s),
        # Not in the Service schema: the site's typology and commune code, for territorial diagnoses.
        "extra": {"typologie_structure": site["typologie"] or None, "axe": s["axis"], "modalite": s["kind"]},
    }
