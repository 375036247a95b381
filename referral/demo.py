"""The demo's referral directory: Rennes' third-party places imported from a data·inclusion file (as a
centre would import the national registry's), two typed by staff, and a year of counted slips.

The places are real kinds of places with illustrative addresses, hours and services; the files
are in `referral/demo_data/` and double as an example of what `quartier referral import` reads.
"""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from typing import Any

from quartier.db import Tx
from referral import di_import, di_read, store
from referral.model import clean_resource

TYPED = [
    {
        "name": "Espace public numérique de la Maison de quartier de Villejean",
        "kind": "epn",
        "description": "Ordinateurs en accès libre et initiations, avec une animatrice.",
        "address": "2 rue de Bourgogne",
        "postal_code": "35000",
        "commune": "Rennes",
        "latitude": 48.1188,
        "longitude": -1.7012,
        "opening_hours": "Mo,We,Fr 14:00-18:00",
        "access": "Métro A, arrêt Villejean-Université ; entrée au rez-de-chaussée, côté parking.",
        "languages": ["français", "anglais"],
        "accessibility": ["step-free"],
    },
    {
        "name": "Point d'accès au droit de Rennes",
        "kind": "city",
        "description": "Juristes et associations : comprendre un courrier, connaître ses droits.",
        "address": "Place de la Mairie",
        "postal_code": "35000",
        "commune": "Rennes",
        "latitude": 48.1114,
        "longitude": -1.6794,
        "opening_hours": "Mo-Fr 09:00-12:00",
        "access": "Métro A, arrêt République.",
        "needs": ["titre-de-sejour", "caf"],
    },
]
# Access descriptions staff added to imported places (an import never overwrites them).
ACCESS = {
    "service:quartier-demo--prefecture-point-numerique": "Bus 12, arrêt Préfecture ; accueil des étrangers, porte B.",
    "service:quartier-demo--caf-accueil": "Métro A, arrêt Charles de Gaulle ; borne à droite de l'entrée.",
    "service:quartier-demo--champs-libres-postes": "Métro A, arrêt Gares ou Charles de Gaulle ; 2e étage.",
}
# What staff changed in the defaults: the elders' drop-in helps with France Connect too.
SESSION_NEEDS = {("aines-accompagnement", "france-connect"): True}
# Slips printed in the months before the demo's today (need, site, destination origin): count.
SLIPS = [
    ("titre-de-sejour", "le-blosne", "service:quartier-demo--prefecture-point-numerique", 6),
    ("caf", "maurepas", "service:quartier-demo--caf-accueil", 9),
    ("ordinateur", "villejean", "service:quartier-demo--emmaus-connect-materiel", 4),
    ("internet-maison", "maurepas", "service:quartier-demo--emmaus-connect-solidaire", 5),
    ("imprimer", "centre", "service:quartier-demo--champs-libres-postes", 7),
]


def _files() -> list[tuple[str, str]]:
    folder = files("referral") / "demo_data"
    return [(name, (folder / name).read_text(encoding="utf-8")) for name in ("structures.json", "services.json")]


async def demo(ctx: Any) -> None:
    batch = di_read.read(_files(), set())
    typed = [clean_resource(r) for r in TYPED]
    months = _months_before(ctx.today, 6)

    def write(tx: Tx) -> None:
        di_import.apply(tx, batch)
        for r in typed:
            store.save_resource(tx, r)
        for origin, access in ACCESS.items():
            tx.execute("UPDATE referral_resources SET access = ? WHERE origin = ?", (access, origin))
        for (key, need), served in SESSION_NEEDS.items():
            row = tx.execute("SELECT id FROM sessions WHERE key = ?", (key,)).fetchone()
            if row:
                tx.execute("INSERT INTO referral_session_needs VALUES (?, ?, ?)", (row["id"], need, int(served)))
        _slips(tx, months)

    await ctx.db.write(write)


def _months_before(today: dt.date, n: int) -> list[str]:
    """The n months before today's, oldest first, within today's year (the report's year)."""
    out = []
    year, month = today.year, today.month
    for _i in range(n):
        month -= 1
        if month == 0:
            break
        out.append(f"{year}-{month:02d}")
    return list(reversed(out))


def _slips(tx: Tx, months: list[str]) -> None:
    for i, month in enumerate(months):
        for need, site, origin, count in SLIPS:
            row = tx.execute(
                "SELECT id, name, organisation, kind FROM referral_resources WHERE origin = ?", (origin,)
            ).fetchone()
            for _n in range(max(1, count - i % 3)):
                store.count_slip(
                    tx,
                    month=month,
                    need=need,
                    site=site,
                    target=f"resource:{row['id']}",
                    destination=row["organisation"] or row["name"],
                    kind=row["kind"],
                )
