"""Demo sheets of the catalogue: two workshops the demo's programme already runs (linked to their
sessions, so the sheets list past and next dates) and a training for social workers, scheduled."""

from __future__ import annotations

import datetime as dt
from typing import Any

from events import catalogue, store
from events.model import clean_session
from quartier.db import Tx

SHEETS: list[tuple[dict[str, Any], str | None]] = [
    (
        {
            "title": "Mon smartphone au quotidien",
            "kind": "atelier",
            "axis": "accompagnement",
            "aims": "Prendre en main son téléphone : appeler, écrire un message, prendre une photo, régler l'écran.",
            "audience": ["habitants", "seniors"],
            "duration_minutes": 120,
            "group_min": 3,
            "group_max": 8,
            "materials": "Les téléphones des participants ; deux téléphones de prêt ; un vidéoprojecteur.",
            "steps": "Accueil et attentes de chacun\nLes boutons et l'écran tactile\nAppeler et écrire un message\nPrendre et envoyer une photo\nCe que l'on refera chez soi",
            "skills": "Utiliser un écran tactile\nEnvoyer un message\nRégler son téléphone",
            "pix": ["2", "5"],
            "facilitators": "Médiateurs numériques de l'ESC Cleunay",
        },
        "cleunay-smartphone",
    ),
    (
        {
            "title": "Créer et utiliser sa boîte mail",
            "kind": "atelier",
            "axis": "accompagnement",
            "aims": "Créer une adresse, lire et écrire un message, joindre un document, reconnaître un message frauduleux.",
            "audience": ["habitants"],
            "duration_minutes": 120,
            "group_min": 3,
            "group_max": 8,
            "materials": "Un ordinateur par personne, connexion Internet.",
            "steps": "Pourquoi une adresse e-mail\nCréer son adresse\nLire, répondre, joindre\nRepérer une arnaque",
            "skills": "Communiquer par courriel\nSe protéger des arnaques",
            "pix": ["2", "4"],
            "facilitators": "ESC Rennes Centre",
        },
        "centre-mail",
    ),
    (
        {
            "title": "Repérer et orienter les personnes éloignées du numérique",
            "kind": "formation",
            "axis": "droits",
            "aims": "Pour les travailleurs sociaux : repérer les difficultés numériques, orienter vers le bon lieu, "
            "accompagner sans faire à la place.",
            "audience": ["professionnels", "benevoles"],
            "duration_minutes": 180,
            "group_min": 6,
            "group_max": 14,
            "materials": "Salle de réunion, vidéoprojecteur, le ticket d'orientation imprimé.",
            "steps": "Ce que recouvre l'exclusion numérique\nRepérer sans stigmatiser\nOrienter : le ticket et le répertoire\nÉtudes de cas",
            "skills": "Repérer une difficulté numérique\nOrienter vers une médiation",
            "pix": [],
            "facilitators": "GT ESC, avec le CDAS",
        },
        None,
    ),
]


async def demo(ctx: Any) -> None:
    next_tuesday = ctx.today + dt.timedelta(days=(1 - ctx.today.weekday()) % 7 or 7)

    def write(tx: Tx) -> None:
        for data, session_key in SHEETS:
            slug = catalogue.save_tx(tx, catalogue.clean(data))
            w = tx.db.conn.execute("SELECT id FROM workshops WHERE slug = ?", (slug,)).fetchone()
            if session_key:
                row = tx.db.conn.execute("SELECT id FROM sessions WHERE key = ?", (session_key,)).fetchone()
                if row:
                    catalogue.link_session_tx(tx, w["id"], row["id"])
                continue
            s = clean_session(
                {
                    "site": "maurepas",
                    "title": data["title"],
                    "description": data["aims"],
                    "kind": data["kind"],
                    "axis": data["axis"],
                    "date": next_tuesday.isoformat(),
                    "start": "14:00",
                    "end": "17:00",
                    "room": "Salle de réunion",
                    "audience": ["professionnels du travail social"],
                    "capacity": data["group_max"],
                }
            )
            id, _ = store.save_session(tx, s)
            catalogue.link_session_tx(tx, w["id"], id)

    await ctx.db.write(write)
