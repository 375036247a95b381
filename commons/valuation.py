"""What each kind of contribution is worth: the valuation table the organizers edit.

Each contribution kind is valued by one rule (an hour of a salaried mediator, a volunteer hour, a
room's half-day, an item's yearly value), in euros per unit; services and money are already euros.
The table keeps one value per rule and year, with its source: the budget of a year uses the
latest value of a year not after it (else the earliest known). Defaults come with their source
where one exists; the others are marked illustrative (an empty source) and say so on the page.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from quartier.i18n import N_

# Contribution kinds: (label, unit). Salaried hours are computed from the programme, never typed.
KINDS: dict[str, tuple[str, str]] = {
    "salaried_hours": (N_("Heures salariées"), N_("heures")),
    "volunteer_hours": (N_("Heures de bénévolat"), N_("heures")),
    "room_half_days": (N_("Salles"), N_("demi-journées")),
    "equipment": (N_("Matériel prêté"), N_("appareils-années")),
    "service": (N_("Services"), N_("euros")),
    "money": (N_("Argent"), N_("euros")),
}
TYPED = ("volunteer_hours", "room_half_days", "equipment", "service", "money")
ITEMS: dict[str, str] = {
    "kiosk": N_("Borne interactive"),
    "computer": N_("Ordinateur"),
    "caf_terminal": N_("Borne CAF"),
    "vehicle": N_("Véhicule"),
    "other": N_("Autre matériel"),
}
# Valuation rules: (label, unit), euros per unit.
RULES: dict[str, tuple[str, str]] = {
    "salaried_hour": (N_("Heure de médiation salariée"), N_("heure")),
    "volunteer_hour": (N_("Heure de bénévolat"), N_("heure")),
    "room_half_day": (N_("Demi-journée de salle"), N_("demi-journée")),
    **{f"equipment:{k}": (label, N_("appareil et par an")) for k, label in ITEMS.items()},
}
# What a site's common base may need: a rule's units, or an amount in euros.
NEEDS = (*RULES, "euros")

SMIC_2026 = (
    "SMIC horaire brut au 1er janvier 2026 (12,02 €, +1,18 %) : la méthode la plus simple de valorisation "
    "du bénévolat (heures × SMIC), décrite dans le guide « Bénévolat : valorisation comptable » du ministère "
    "chargé de la vie associative ; ajoutez les cotisations patronales si vos comptes le font."
)
CNFS_2021 = (
    "Conseiller numérique France Services (plan France Relance, 2021) : 50 000 € par poste sur 24 mois, "
    "prévus pour couvrir un SMIC à temps plein, soit 25 000 € ÷ 1 607 h (durée légale annuelle) = 15,56 € "
    "de l'heure ; un plancher : une médiatrice payée au-delà du SMIC coûte plus."
)
# (rule, year, euros per unit, source): an empty source is an illustrative value.
DEFAULTS: tuple[tuple[str, int, float, str], ...] = (
    ("salaried_hour", 2021, 15.56, CNFS_2021),
    ("volunteer_hour", 2026, 12.02, SMIC_2026),
    ("room_half_day", 2026, 60.0, ""),
    ("equipment:kiosk", 2026, 1500.0, ""),
    ("equipment:computer", 2026, 250.0, ""),
    ("equipment:caf_terminal", 2026, 1200.0, ""),
    ("equipment:vehicle", 2026, 3000.0, ""),
    ("equipment:other", 2026, 100.0, ""),
)


def rule_of(kind: str, item: str | None = None) -> str | None:
    """The valuation rule of a contribution kind (None: the quantity is already euros)."""
    return {
        "salaried_hours": "salaried_hour",
        "volunteer_hours": "volunteer_hour",
        "room_half_days": "room_half_day",
        "equipment": f"equipment:{item or 'other'}",
    }.get(kind)


def table(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every rule with its values by year, newest first: [{kind, label, unit, values: [{year, value, source}]}]."""
    values: dict[str, list[dict[str, Any]]] = {k: [] for k in RULES}
    for r in db.conn.execute("SELECT kind, year, value, source FROM commons_valuation ORDER BY kind, year DESC"):
        if r["kind"] in values:
            values[r["kind"]].append({"year": r["year"], "value": r["value"], "source": r["source"]})
    return [{"kind": k, "label": label, "unit": unit, "values": values[k]} for k, (label, unit) in RULES.items()]


def rates(db: sqlite_utils.Database, year: int) -> dict[str, dict[str, Any]]:
    """For each rule, the value that applies to `year`: {rule: {value, year, source}}."""
    out: dict[str, dict[str, Any]] = {}
    for entry in table(db):
        chosen = next((v for v in entry["values"] if v["year"] <= year), None)
        chosen = chosen or (entry["values"][-1] if entry["values"] else {"year": None, "value": 0.0, "source": ""})
        out[entry["kind"]] = chosen
    return out


def euros(rates_of_year: dict[str, dict[str, Any]], rule: str | None, quantity: float) -> float:
    """The value in euros of a quantity under a rule (None or "euros": the quantity itself)."""
    if rule is None or rule == "euros":
        return round(quantity, 2)
    return round(quantity * rates_of_year.get(rule, {"value": 0.0})["value"], 2)
