"""A third-party resource's fields and vocabularies, checked the same way for staff forms and imports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from events.model import ACCESSIBILITY, EMAIL_RE, INSEE_RE, WEB_RE, valid_opening_hours
from quartier.i18n import N_
from quartier.inputs import Fields
from referral import needs

# Kinds of places, in the words of the partners registry where they overlap (issue 18).
KINDS: dict[str, str] = {
    "library": N_("Bibliothèque, médiathèque"),
    "france-services": N_("France Services"),
    "caf": N_("Accueil de la CAF"),
    "epn": N_("Espace public numérique"),
    "association": N_("Association"),
    "city": N_("Mairie, service de la Ville"),
    "ccas": N_("CCAS"),
    "other": N_("Autre lieu"),
}
# data·inclusion `reseaux_porteurs` that tell a structure's kind.
KIND_OF_NETWORK = {
    "france-service": "france-services",
    "msap": "france-services",
    "caf": "caf",
    "espaces-publics-numeriques": "epn",
    "conseillers-numeriques": "epn",
    "communes": "city",
    "ccas-cias": "ccas",
    "emmaus": "association",
    "secours-populaire": "association",
    "restos-du-coeur": "association",
    "fcsf": "association",
    "mjc": "association",
}
LIBRARY_WORDS = ("bibliotheque", "mediatheque")

# Where a place is and how to reach it: in the files an import reads and in the staff form alike.
PLACE = (
    "address",
    "address_extra",
    "postal_code",
    "commune",
    "insee",
    "latitude",
    "longitude",
    "opening_hours",
    "phone",
    "email",
    "website",
)
# The columns an import writes; the others (kind after creation, access, languages,
# accessibility, the needs staff adjusted) are staff's and an import leaves them alone.
IMPORTED: tuple[str, ...] = ("source", "name", "organisation", "structure", "description", *PLACE, "link")
IMPORTED += (
    "thematiques",
    "publics",
    "fee",
    "fee_details",
    "conditions",
    "remote",
    "accessibility_url",
    "source_updated",
)
STAFF_FIELDS = (
    "name",
    "organisation",
    "kind",
    "description",
    *PLACE,
    "access",
    "conditions",
    "languages",
    "accessibility",
)
# What staff may change on an imported resource.
STAFF_ONLY = ("kind", "access", "languages", "accessibility")
JSON_COLUMNS = ("thematiques", "publics", "languages", "accessibility")


def guess_kind(name: str, networks: list[str]) -> str:
    """A place's kind from its data·inclusion networks, else from its name (a library says so)."""
    for network in networks:
        if network in KIND_OF_NETWORK:
            return KIND_OF_NETWORK[network]
    folded = needs.fold(name)
    if any(w in folded for w in LIBRARY_WORDS):
        return "library"
    if "association" in folded:
        return "association"
    return "other"


def clean_resource(data: Mapping[str, Any]) -> dict[str, Any]:
    """A resource as staff type it; raises quartier.inputs.Invalid with every problem at once."""
    c = Fields(data, collect=True, numbers_as_text=True)
    r: dict[str, Any] = {
        "name": c.text("name", required=True, max_length=150),
        "organisation": c.text("organisation", max_length=150),
        "kind": c.choice("kind", KINDS, "other"),
        "description": c.text("description", max_length=2000, multiline=True),
        "address": c.text("address", max_length=200),
        "address_extra": c.text("address_extra", max_length=200),
        "postal_code": c.text("postal_code", max_length=10),
        "commune": c.text("commune", max_length=120),
        "insee": c.text(
            "insee", max_length=5, pattern=INSEE_RE, message={"pattern": N_("Code INSEE à 5 caractères attendu.")}
        ),
        "latitude": c.number("latitude", minimum=-90, maximum=90),
        "longitude": c.number("longitude", minimum=-180, maximum=180),
        "opening_hours": c.text("opening_hours", max_length=400),
        "phone": c.text("phone", max_length=40),
        "email": c.text("email", max_length=120, pattern=EMAIL_RE, message={"pattern": N_("Adresse e-mail invalide.")}),
        "website": c.text(
            "website",
            max_length=300,
            pattern=WEB_RE,
            message={"pattern": N_("Adresse web commençant par https:// attendue.")},
        ),
        "access": c.text("access", max_length=500, multiline=True),
        "conditions": c.text("conditions", max_length=500, multiline=True),
        "languages": c.strings("languages"),
        "accessibility": c.strings("accessibility"),
        # Absent (an import, a script): the defaults hold; a form always sends its ticks, maybe none.
        "needs": c.strings("needs", max_items=len(needs.NEEDS)) if c.has("needs") else None,
    }
    _check(c, r)
    c.done()
    return r


def _check(c: Fields, r: dict[str, Any]) -> None:
    if r["opening_hours"] and not valid_opening_hours(r["opening_hours"]):
        c.fail(
            "opening_hours",
            N_("Horaires invalides : syntaxe OpenStreetMap attendue (ex. « Mo-Fr 09:00-12:00,14:00-17:30 »)."),
        )
    if (r["latitude"] is None) != (r["longitude"] is None):
        c.fail("longitude", N_("Donnez la latitude et la longitude, ou aucune des deux."))
    if any(a not in ACCESSIBILITY for a in r["accessibility"]):
        c.fail("accessibility", N_("Valeur inconnue ; valeurs possibles : {values}."), values=", ".join(ACCESSIBILITY))
    wrong = [n for n in r["needs"] or [] if n not in needs.BY_ID]
    if wrong:
        c.fail("needs", N_("Besoin inconnu : « {need} »."), need=wrong[0][:60])
