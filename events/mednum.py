"""The sites in the national *Standard de données des lieux de médiation numérique* v1.0.2
(LaMednum / ANCT): its exact columns and vocabularies, `|` between several values. The tests
validate the file against the standard's own schema.json with frictionless."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

from events.model import AXES
from quartier import csvout
from quartier.i18n import gettext as _

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
    "formation": "Dans un atelier collectif",
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
        "itinerance": "Itinérant" if site["mobile"] else "Fixe",
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
    writer = csvout.DictWriter(out, COLUMNS, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writeheader()
    for site in sites:
        if site["siret"]:
            writer.writerow(place_row(site, [s for s in sessions if s["site"] == site["slug"]], tz, source))
    return out.getvalue()
