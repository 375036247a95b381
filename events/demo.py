"""The demo's programme: Rennes' real places, an illustrative week of sessions around today."""

from __future__ import annotations

import datetime as dt
from typing import Any

from events import registrations, store
from events.model import clean_exception, clean_session, clean_site
from quartier.db import Tx

# SIRET of the City of Rennes and data·inclusion typologies (CS: centre social, MUNI, CCAS...): illustrative.
RENNES = {"commune": "Rennes", "insee": "35238", "siret": "21350238800019", "typologie": "CS|MUNI"}
HOURS = "Mo-Fr 09:00-12:30,13:30-18:00; PH off"

SITES: list[dict[str, Any]] = [
    {
        "slug": "maurepas",
        "name": "ESC Maurepas",
        "neighbourhood": "Maurepas – Gros-Chêne",
        "address": "rue Guy Ropartz",
        "postal_code": "35700",
        "latitude": 48.1283,
        "longitude": -1.6555,
        "accessibility": ["step-free", "hearing-loop", "accessible-toilets"],
    },
    {
        "slug": "cleunay",
        "name": "ESC Cleunay",
        "neighbourhood": "Cleunay",
        "address": "Cleunay",
        "postal_code": "35000",
        "latitude": 48.1035,
        "longitude": -1.7095,
        "accessibility": ["step-free"],
    },
    {
        "slug": "centre",
        "name": "ESC Rennes Centre",
        "neighbourhood": "Centre",
        "address": "Centre-ville",
        "postal_code": "35000",
        "latitude": 48.1113,
        "longitude": -1.6800,
        "accessibility": ["step-free"],
    },
    {
        "slug": "le-blosne",
        "name": "ESC Le Blosne",
        "neighbourhood": "Le Blosne",
        "address": "7 boulevard de Yougoslavie",
        "postal_code": "35200",
        "latitude": 48.0871,
        "longitude": -1.6620,
        "accessibility": ["step-free", "hearing-loop", "falc"],
    },
    {
        "slug": "villejean",
        "name": "ESC Villejean",
        "neighbourhood": "Villejean – Beauregard",
        "address": "Villejean",
        "postal_code": "35000",
        "latitude": 48.1213,
        "longitude": -1.7050,
        "accessibility": ["step-free"],
    },
    {
        "slug": "brequigny",
        "name": "ESC Bréquigny",
        "neighbourhood": "Bréquigny",
        "address": "Bréquigny",
        "postal_code": "35200",
        "latitude": 48.0900,
        "longitude": -1.6900,
        "accessibility": ["step-free"],
    },
    {
        "slug": "carrefour-18",
        "name": "Carrefour 18",
        "neighbourhood": "Sud-Gare",
        "address": "7 rue d'Espagne",
        "postal_code": "35200",
        "latitude": 48.0973,
        "longitude": -1.6690,
        "opening_hours": "Mo-Fr 09:00-12:00,14:00-18:00; Sa 10:00-12:00",
        "typologie": "CS|ASSO",
    },
    {
        "slug": "maison-des-aines",
        "name": "Maison des aînés et des aidants",
        "neighbourhood": "Centre",
        "address": "Centre-ville",
        "postal_code": "35000",
        "latitude": 48.1100,
        "longitude": -1.6780,
        "typologie": "CCAS",
        "accessibility": ["step-free", "hearing-loop", "accessible-toilets"],
    },
    {
        "slug": "leperdit",
        "name": "Leperdit",
        "neighbourhood": "Centre",
        "address": "Centre-ville",
        "postal_code": "35000",
        "latitude": 48.1090,
        "longitude": -1.6760,
    },
]

# Phone numbers from the range ARCEP keeps for fiction (02 61 91 xx xx): nobody is ever called.
for _n, _site in enumerate(SITES, start=1):
    _site.setdefault("phone", f"02 61 91 00 {_n:02d}")
    _site.setdefault("contact", "Accueil, du lundi au vendredi")

# (key, site, title, kind, axis, weekday 0=Monday, start, end, room, audience, partner, extra)
WEEKLY = [
    (
        "maurepas-caf",
        "maurepas",
        "Permanence démarches CAF",
        "permanence",
        "droits",
        0,
        "09:00",
        "12:00",
        "Bureau 3",
        ["tous publics"],
        "CAF d'Ille-et-Vilaine",
        {},
    ),
    (
        "maurepas-acces-libre",
        "maurepas",
        "Accès libre : ordinateurs, Wi-Fi, imprimante",
        "acces-libre",
        "acces-libre",
        1,
        "14:00",
        "17:00",
        "Espace numérique",
        ["tous publics"],
        "",
        {},
    ),
    (
        "maurepas-emploi",
        "maurepas",
        "Permanence recherche d'emploi en ligne",
        "permanence",
        "droits",
        3,
        "09:30",
        "12:00",
        "Bureau 3",
        ["demandeurs d'emploi"],
        "France Travail",
        {},
    ),
    (
        "cleunay-smartphone",
        "cleunay",
        "Atelier « Mon smartphone au quotidien »",
        "atelier",
        "accompagnement",
        1,
        "10:00",
        "12:00",
        "Salle polyvalente",
        ["seniors"],
        "",
        {"registration": True, "capacity": 8},
    ),
    (
        "cleunay-acces-libre",
        "cleunay",
        "Accès libre et borne CAF",
        "acces-libre",
        "acces-libre",
        3,
        "14:00",
        "17:30",
        "Accueil",
        ["tous publics"],
        "",
        {},
    ),
    (
        "centre-ants",
        "centre",
        "Permanence titres et permis (ANTS)",
        "permanence",
        "droits",
        2,
        "09:00",
        "12:00",
        "Salle 1",
        ["tous publics"],
        "",
        {},
    ),
    (
        "centre-mail",
        "centre",
        "Atelier « Créer et utiliser sa boîte mail »",
        "atelier",
        "accompagnement",
        4,
        "14:00",
        "16:00",
        "Salle 2",
        ["tous publics"],
        "",
        {"registration": True, "capacity": 10},
    ),
    (
        "blosne-caf",
        "le-blosne",
        "Permanence démarches CAF et CPAM",
        "permanence",
        "droits",
        1,
        "09:00",
        "12:00",
        "Bureau 2",
        ["tous publics", "personnes étrangères"],
        "CAF d'Ille-et-Vilaine",
        {"languages": ["français", "arabe", "turc"]},
    ),
    (
        "blosne-acces-libre",
        "le-blosne",
        "Accès libre accompagné",
        "acces-libre",
        "acces-libre",
        2,
        "14:00",
        "18:00",
        "Espace numérique",
        ["tous publics"],
        "",
        {},
    ),
    (
        "blosne-jeunes",
        "le-blosne",
        "Atelier CV et candidatures en ligne",
        "atelier",
        "accompagnement",
        4,
        "14:00",
        "16:30",
        "Salle 4",
        ["jeunes"],
        "Mission locale",
        {},
    ),
    (
        "villejean-impots",
        "villejean",
        "Permanence impôts et espace personnel",
        "permanence",
        "droits",
        0,
        "14:00",
        "17:00",
        "Bureau 1",
        ["tous publics"],
        "",
        {},
    ),
    (
        "villejean-tablette",
        "villejean",
        "Atelier tablette pour débutants",
        "atelier",
        "accompagnement",
        2,
        "10:00",
        "12:00",
        "Salle 2",
        ["seniors"],
        "",
        {"registration": True, "capacity": 6},
    ),
    (
        "brequigny-acces-libre",
        "brequigny",
        "Accès libre : ordinateurs et scanner",
        "acces-libre",
        "acces-libre",
        0,
        "09:30",
        "12:00",
        "Espace numérique",
        ["tous publics"],
        "",
        {},
    ),
    (
        "brequigny-familles",
        "brequigny",
        "Atelier parents : l'espace famille en ligne",
        "atelier",
        "accompagnement",
        3,
        "17:00",
        "18:30",
        "Salle 1",
        ["familles"],
        "",
        {},
    ),
    (
        "carrefour18-droits",
        "carrefour-18",
        "Permanence accès aux droits",
        "permanence",
        "droits",
        2,
        "14:00",
        "17:00",
        "Accueil",
        ["tous publics"],
        "",
        {},
    ),
    (
        "aines-accompagnement",
        "maison-des-aines",
        "Permanence numérique des aînés et des aidants",
        "permanence",
        "accompagnement",
        1,
        "14:00",
        "16:30",
        "Salon",
        ["seniors"],
        "",
        {},
    ),
    (
        "leperdit-acces-libre",
        "leperdit",
        "Accès libre et impressions",
        "acces-libre",
        "acces-libre",
        4,
        "09:30",
        "12:00",
        "Rez-de-chaussée",
        ["tous publics"],
        "",
        {},
    ),
]


def sessions(today: dt.date) -> list[dict[str, Any]]:
    monday = today - dt.timedelta(days=today.weekday())
    first_monday = monday - dt.timedelta(weeks=53)  # a year of history for the annual report
    out = []
    for key, site, title, kind, axis, weekday, start, end, room, audience, partner, extra in WEEKLY:
        out.append(
            {
                "key": key,
                "site": site,
                "title": title,
                "kind": kind,
                "axis": axis,
                "room": room,
                "date": (first_monday + dt.timedelta(days=weekday)).isoformat(),
                "start": start,
                "end": end,
                "repeat": {"every": "weekly", "until": (monday + dt.timedelta(weeks=16)).isoformat()},
                "audience": audience,
                "partner": partner,
                "free": True,
                **extra,
            }
        )
    out.append(
        {
            "key": "maurepas-forum",
            "site": "maurepas",
            "title": "Forum de quartier : le numérique et nous",
            "kind": "forum",
            "axis": "accompagnement",
            "room": "Grande salle",
            "date": today.isoformat(),
            "start": "09:30",
            "end": "18:00",
            "audience": ["tous publics"],
            "description": "Un temps fort ouvert à toutes et tous : dites ce qui vous aide ou vous bloque.",
        }
    )
    hack_day = today + dt.timedelta(days=2)
    out.append(
        {
            "key": "hackathon-social",
            "site": "carrefour-18",
            "title": "Hackathon social : des outils simples pour les démarches",
            "kind": "hackathon",
            "axis": "droits",
            "room": "Salle commune",
            "date": hack_day.isoformat(),
            "start": "09:00",
            "end": "17:00",
            "audience": ["tous publics"],
            "registration": True,
            "capacity": 40,
            "description": "Habitants, partenaires, médiateurs et travailleurs sociaux construisent ensemble.",
        }
    )
    return out


def _next_on(today: dt.date, weekday: int) -> dt.date:
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7)


async def demo(ctx: Any) -> None:
    sites = [clean_site({**RENNES, "opening_hours": HOURS, **s}, default_timezone=ctx.settings.timezone) for s in SITES]
    rows = [clean_session(s) for s in sessions(ctx.today)]
    weekday_of = {k: w for k, _s, _t, _k, _a, w, *_r in WEEKLY}
    # One cancelled and one moved occurrence in the coming days.
    cancelled = (
        "blosne-caf",
        _next_on(ctx.today, weekday_of["blosne-caf"]),
        {"status": "cancelled", "reason": "Médiatrice en formation ; rendez-vous la semaine prochaine."},
    )
    moved_day = _next_on(ctx.today, weekday_of["villejean-tablette"])
    moved = (
        "villejean-tablette",
        moved_day,
        {
            "status": "moved",
            "new_date": moved_day.isoformat(),
            "start": "14:00",
            "end": "16:00",
            "room": "Salle 3",
            "reason": "Salle 2 en travaux.",
        },
    )

    def write(tx: Tx) -> None:
        tx.execute("INSERT OR REPLACE INTO programme_meta (name, value) VALUES ('demo', '1')")
        for site in sites:
            store.save_site(tx, site)
        ids = {}
        for s in rows:
            ids[s["key"]], _o = store.save_session(tx, s)
        for key, day, change in (cancelled, moved):
            store.set_exception(tx, ids[key], clean_exception({"date": day.isoformat(), **change}))
        _registrations(tx, ids, weekday_of, ctx.today, ctx.now)

    await ctx.db.write(write)


# Illustrative first names (and numbers from the range ARCEP keeps for fiction): the smartphone workshop's next date is full with two waiting, the
# e-mail workshop half full (one taken at the desk, by phone).
DEMO_PEOPLE = ["Awa", "Bruno", "Chloé", "Djamel", "Élise", "Fatou", "Gérard", "Hélène", "Ibrahim", "Jeanne"]


def _registrations(tx: Tx, ids: dict[str, int], weekday_of: dict[str, int], today: dt.date, now: dt.datetime) -> None:
    for key, count in (("cleunay-smartphone", 10), ("centre-mail", 5)):
        day = _next_on(today + dt.timedelta(days=1), weekday_of[key])
        for n, name in enumerate(DEMO_PEOPLE[:count]):
            person = {"first_name": name, "phone": f"06 39 98 00 {n:02d}" if n % 2 else "", "email": ""}
            source = "desk" if n == 3 else "online"
            registrations.register(tx, ids[key], day, person, source=source, device="", now=now)
