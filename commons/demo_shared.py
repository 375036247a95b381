"""The demo's shared means and spaces (issue 19): the partners' permanences in every ESC, rooms with their details, each ESC's common base with
a broken printer, equipment items with bookings in progress (one out, one late, one waiting), and
half-day requests waiting for an organizer, one of them accepted so the dashboard shows gained hours.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from commons import base, halfdays, means
from events import queries, rooms, store
from events.demo_partners import ESC
from events.model import clean_session
from quartier.db import Tx
from quartier.errors import Problem

ROOMS = {  # (site, room): capacity, equipment, accessibility
    ("maurepas", "Espace numérique"): (10, ["8 postes", "imprimante", "vidéoprojecteur"], ["step-free"]),
    ("maurepas", "Bureau 3"): (3, ["poste CAF"], ["step-free"]),
    ("le-blosne", "Salle 2"): (14, ["tableau blanc", "écran"], ["step-free", "hearing-loop"]),
}
# (name, kind, owner, home site, needs, description)
MEANS: tuple[tuple[str, str, str, str | None, list[str], str], ...] = (
    ("Minibus 9 places", "vehicle", "ville-de-rennes", "centre", ["licence"], "Pour les sorties et l'aller-vers."),
    (
        "Valise de 10 tablettes",
        "tablet_case",
        "centres-sociaux",
        "maurepas",
        ["trained"],
        "Tablettes, chargeurs, coques.",
    ),
    ("Valise de 8 portables", "laptop_case", "caf-35", "le-blosne", [], "Portables prêts pour les démarches."),
    ("Routeur 4G", "router_4g", "epn-rennes", "villejean", [], "Internet partout : marché, pied d'immeuble."),
    ("Vidéoprojecteur", "projector", "ccas-rennes", "maison-des-aines", [], ""),
    ("Kit « Fresque du numérique »", "teaching_kit", "labfab", None, ["trained"], "Cartes et guide d'animation."),
)


# The partners' weekly permanences in every ESC, as the plan's base asks: (partner, title, axis,
# weekday, start, end). With the programme's own sessions the demo's week passes 30 occurrences.
PERMANENCES = (
    ("france-travail", "Permanence emploi et démarches France Travail", "droits", 1, "09:30", "12:00"),
    ("ccas-rennes", "Permanence accès aux droits du CCAS", "droits", 3, "14:00", "16:30"),
)


def _permanences(tx: Tx, today: dt.date) -> None:
    monday = today - dt.timedelta(days=today.weekday())
    for slug in ESC:
        for partner, title, axis, weekday, start, end in PERMANENCES:
            fields = {
                "site": slug,
                "title": title,
                "kind": "permanence",
                "axis": axis,
                "room": "Bureau des partenaires",
            }
            fields |= {"date": (monday + dt.timedelta(days=weekday)).isoformat(), "start": start, "end": end}
            s = clean_session(fields | {"repeat": {"every": "weekly"}, "audience": ["tous publics"]})
            store.save_session(tx, {**s, "partner": partner, "key": f"{slug}-{partner}-permanence"})


def _day(today: dt.date, weekday: int, weeks: int = 1) -> dt.date:
    """The given weekday (0 = Monday) of the week `weeks` after today's."""
    return today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=weeks, days=weekday)


def _rooms_and_base(tx: Tx, now: float) -> None:
    for (slug, name), (capacity, equipment, access) in ROOMS.items():
        site_id = tx.execute("SELECT id FROM sites WHERE slug = ?", (slug,)).fetchone()
        if site_id is not None:
            rooms.save_room(
                tx, site_id[0], {"name": name, "capacity": capacity, "equipment": equipment, "accessibility": access}
            )
    for slug in ESC:
        site_id = tx.execute("SELECT id FROM sites WHERE slug = ?", (slug,)).fetchone()[0]
        ids = {kind: base.add_item(tx, site_id, kind, label) for kind, label in base.CHECKLIST}
        for id in ids.values():
            base.set_state(tx, id, "working", dt.date.fromtimestamp(now - 3 * base.DAY), at=now - 30 * base.DAY)
        if slug == "maurepas":  # the broken printer, reported from its QR two days ago, a note since
            fault = base.report(
                tx, ids["scan_print"], "Bourrage papier, voyant rouge", "qr", None, at=now - 2 * base.DAY
            )
            tx.execute(
                "INSERT INTO commons_fault_events (fault_id, at, kind, source, note) VALUES (?, ?, 'note', 'staff', ?)",
                (fault, now - base.DAY, "Technicien de la Ville prévenu, passage prévu"),
            )
        if slug == "villejean":
            base.set_state(tx, ids["wifi"], "degraded", None, at=now - 5 * base.DAY)


def _means(tx: Tx, ctx: Any, ids: dict[str, int]) -> None:
    today = ctx.today
    sites = {s["slug"]: s["id"] for s in queries.sites(tx.db)}
    made = []
    for name, kind, owner, home, needs, description in MEANS:
        if owner not in ids:
            continue
        m = {"name": name, "kind": kind, "partner_id": ids[owner], "site_id": sites.get(home or "")}
        made.append(means.save_means(tx, m | {"description": description, "condition": "good", "needs": needs}))
    borrower = ids.get("caf-35")

    def booking(id: int, start: dt.date, end: dt.date, purpose: str) -> int:
        b = {"start_date": start, "start_half": "morning", "end_date": end, "end_half": "afternoon"}
        return means.book(
            tx, id, b | {"purpose": purpose, "session_id": None}, borrower, None, today - dt.timedelta(days=30)
        )

    out = booking(made[1], today - dt.timedelta(days=1), today + dt.timedelta(days=2), "Atelier tablettes au Blosne")
    means.move(tx, out, "accept", "", None)
    means.move(tx, out, "checkout", "10 tablettes, 10 chargeurs", None)
    late = booking(made[3], today - dt.timedelta(days=8), today - dt.timedelta(days=4), "Permanence au marché")
    means.move(tx, late, "accept", "", None)
    means.move(tx, late, "checkout", "Routeur et câble", None)
    booking(made[0], _day(today, 2), _day(today, 2), "Sortie à la médiathèque")
    accepted = booking(made[2], _day(today, 3), _day(today, 4), "Journée des droits")
    means.move(tx, accepted, "accept", "", None)


def _requests(tx: Tx, ids: dict[str, int], today: dt.date) -> None:
    """Two requests waiting and one accepted (a session with its partner), each on a free half-day."""
    asks = (
        ("france-travail", "Permanence emploi", "droits", 1, "14:00", "17:00", False),
        ("mission-locale", "Accueil jeunes : CV et démarches", "accompagnement", 3, "14:00", "17:00", False),
        ("epn-rennes", "Accès libre accompagné", "acces-libre", 1, "09:30", "12:00", True),
    )
    free_rooms = [r for r in queries.rooms(tx.db) if r["site"] in ESC]
    for partner, title, axis, weekday, start, end, accept in asks:
        r = {"title": title, "kind": "permanence", "axis": axis, "date": _day(today, weekday), "start": start}
        r |= {"end": end, "until": _day(today, weekday, 8), "partner": ""}
        for room in free_rooms:
            if halfdays.obstacle(tx.db, room, r) is None:
                id = halfdays.create(tx, room, r, ids.get(partner), None)
                if accept:
                    halfdays.accept(tx, id, None)
                free_rooms.remove(room)
                break


async def demo_shared(ctx: Any, ids: dict[str, int]) -> None:
    now = time.time()

    def write(tx: Tx) -> None:
        _permanences(tx, ctx.today)
        _rooms_and_base(tx, now)
        _means(tx, ctx, ids)
        try:
            _requests(tx, ids, ctx.today)
        except Problem:  # the demo's programme changed so much that no half-day is free: none asked
            pass

    await ctx.db.write(write)
