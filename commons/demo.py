"""The demo's commons: a year of contributions by the real partner set, each site's common-base
needs, a few growth assumptions, a partner account for the CAF and one proposal waiting for an
organizer; then the shared means and spaces (commons.demo_shared). Every figure is illustrative (the demo's pages say the programme is); the valuation
defaults are the sourced or illustrative ones of commons.valuation.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from typing import Any

from commons import contributions, proposals
from commons.demo_shared import demo_shared
from events import queries
from events.demo_partners import ESC
from events.model import clean_session
from quartier import auth
from quartier.db import Tx

PARTNER_ACCOUNT = "caf"  # the demo's partner account, password: the organizer's followed by "-caf"

# (partner, kind, item, total quantity over the year, sites or None, axis, note, lines)
LINES: list[tuple[str, str, str | None, float, list[str] | None, str | None, str, int]] = [
    ("ville-de-rennes", "room_half_days", None, 180, ESC, None, "Salles des ESC mises à disposition", 6),
    ("ville-de-rennes", "equipment", "computer", 12, ESC, "acces-libre", "Ordinateurs des espaces numériques", 6),
    ("ville-de-rennes", "money", None, 15000, None, None, "Subvention de fonctionnement", 1),
    ("ccas-rennes", "room_half_days", None, 40, ["maison-des-aines"], None, "Salle de la Maison des aînés", 2),
    ("ccas-rennes", "service", None, 2400, None, "droits", "Impressions et affranchissement", 2),
    ("departement-35", "room_half_days", None, 36, ["brequigny", "villejean"], None, "Bureaux des CDAS", 2),
    ("departement-35", "service", None, 3000, None, "droits", "Formation des travailleurs sociaux au numérique", 1),
    ("caf-35", "equipment", "caf_terminal", 6, ESC, "droits", "Bornes CAF en accès libre", 6),
    ("caf-35", "money", None, 8000, None, "droits", "Appel à projets inclusion numérique", 1),
    ("centres-sociaux", "volunteer_hours", None, 1320, ESC, "accompagnement", "Bénévoles de l'accompagnement", 12),
    ("centres-sociaux", "room_half_days", None, 220, ESC, None, "Espaces numériques des centres sociaux", 6),
    ("carrefour-18", "volunteer_hours", None, 310, ["carrefour-18"], "droits", "Bénévoles de l'accès aux droits", 4),
    ("carrefour-18", "room_half_days", None, 60, ["carrefour-18"], None, "Salle commune", 2),
    ("arcs", "volunteer_hours", None, 150, ["maurepas", "le-blosne"], "accompagnement", "Aller vers, hors les murs", 3),
    ("arcs", "equipment", "vehicle", 1, None, "accompagnement", "Le camion de l'aller vers", 1),
    ("epn-rennes", "equipment", "computer", 8, ["leperdit", "villejean"], "acces-libre", "Postes des EPN", 2),
    ("france-travail", "service", None, 1200, ["maurepas"], "droits", "Conseiller détaché aux permanences", 1),
    ("mission-locale", "volunteer_hours", None, 40, ["le-blosne"], "accompagnement", "Parrainage des jeunes", 2),
    ("labfab", "equipment", "other", 4, ["carrefour-18"], None, "Imprimantes 3D et découpe pour le hackathon", 1),
    ("labfab", "volunteer_hours", None, 60, ["carrefour-18"], None, "Animation du hackathon social", 1),
    ("tilab", "service", None, 2000, None, None, "Facilitation du hackathon social", 1),
    ("epitech-rennes", "volunteer_hours", None, 120, ["carrefour-18"], None, "Étudiantes et étudiants au hackathon", 1),
]
# What each site's common base needs in a year (illustrative): (rule or "euros", quantity, note).
NEEDS = [
    ("salaried_hour", 800, "Médiation : 20 h par semaine sur 40 semaines"),
    ("room_half_day", 150, "Espace numérique et salle d'atelier"),
    ("equipment:computer", 6, "Postes en accès libre"),
    ("equipment:caf_terminal", 1, "Borne CAF"),
    ("euros", 1500, "Connexion, impressions, consommables"),
]
GROWTH = {"base": 3.0, "ville-de-rennes:money": 2.0, "centres-sociaux:volunteer_hours": 5.0, "caf-35:money": 0.0}


def _spread(rng: random.Random, start: dt.date, until: dt.date, n: int) -> list[dt.date]:
    days = (until - start).days
    return sorted(start + dt.timedelta(days=rng.randint(0, max(days, 0))) for _ in range(n))


def _lines(year: int, start: dt.date, until: dt.date, ids: dict[str, int]) -> list[dict[str, Any]]:
    rng = random.Random(1997)
    out = []
    for partner, kind, item, total, sites, axis, note, n in LINES:
        for i, day in enumerate(_spread(rng, start, until, n)):
            site = sites[i % len(sites)] if sites else None
            quantity = round(total / n, 2)
            out.append(
                {"partner_id": ids[partner], "year": year, "kind": kind, "item": item, "quantity": quantity}
                | {"date": day, "site": site, "axis": axis, "note": note}
            )
    return out


async def demo(ctx: Any) -> None:
    year = ctx.today.year
    start, until = contributions.period(year, ctx.today)
    registry = await ctx.db.read(queries.partners)
    ids = {p["key"]: p["id"] for p in registry}
    lines = _lines(year, start, until, ids) if until >= start else []
    proposal = clean_session(
        {
            "site": "le-blosne",
            "title": "Atelier « Mon espace CAF sur le téléphone »",
            "kind": "atelier",
            "axis": "droits",
            "room": "Salle 2",
            "date": (ctx.today + dt.timedelta(days=9)).isoformat(),
            "start": "14:00",
            "end": "16:00",
            "audience": ["tous publics"],
            "registration": True,
            "capacity": 8,
            "staff_count": 2,
        }
    )
    password = ctx.password + "-caf" if ctx.password else secrets.token_urlsafe(12)
    account = await auth.add_user(ctx.db, PARTNER_ACCOUNT, "partner", password, ids["caf-35"])

    def write(tx: Tx) -> None:
        for line in lines:
            contributions.add(tx, line, None)
        for slug in ESC:
            site_id = tx.execute("SELECT id FROM sites WHERE slug = ?", (slug,)).fetchone()[0]
            for kind, quantity, note in NEEDS:
                tx.execute(
                    "INSERT INTO commons_site_needs (site_id, kind, quantity, note) VALUES (?, ?, ?, ?)",
                    (site_id, kind, quantity, note),
                )
        for name, rate in GROWTH.items():
            tx.execute("INSERT INTO commons_growth (base_year, line, rate) VALUES (?, ?, ?)", (year, name, rate))
        caf = next(p for p in registry if p["key"] == "caf-35")
        proposals.create(tx, caf, proposal, account)

    await ctx.db.write(write)
    await demo_shared(ctx, ids)
