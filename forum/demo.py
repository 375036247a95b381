"""Demo data: a neighbourhood forum in progress at the ESC Maurepas."""

from __future__ import annotations

import datetime as dt
from typing import Any

from forum import store

DEMO_SITE = "maurepas"

NOTES = [
    # (theme, text, author, source, publish?)
    ("accompagnement", "Avoir quelqu'un pour m'aider à faire ma déclaration CAF en ligne, le samedi matin.", "Fatou", "tablet", True),
    ("acces-libre", "Une imprimante qui marche tout le temps, et du papier.", "", "tablet", True),
    ("droits", "Je ne sais pas à quelles aides j'ai droit pour ma retraite.", "Jean-Yves", "phone", True),
    ("accompagnement", "Des ateliers pour apprendre à se servir d'un smartphone, en petit groupe.", "", "paper", True),
    ("acces-libre", "Plus d'heures d'ouverture de l'accès libre le soir, après le travail.", "Karim", "spoken", True),
    ("autre", "Un coin pour les enfants pendant que les parents font leurs papiers.", "", "phone", True),
    ("droits", "Être aidé pour prendre rendez-vous à la préfecture (titre de séjour).", "", "paper", True),
    ("accompagnement", "Aide pour la déclaration CAF sur internet.", "", "tablet", True),  # merged below
    ("acces-libre", "Le wifi gratuit dans la salle d'attente.", "Lina", "phone", False),
    ("autre", "Traduire les affiches en arabe et en anglais.", "", "tablet", False),
    ("droits", "Qui peut m'expliquer le chèque énergie ?", "", "phone", False),
]


async def demo(ctx: Any) -> None:
    db = ctx.db
    start = ctx.now.timestamp() - 75 * 60

    def fill(tx: Any) -> None:
        board = store.create_board_tx(
            tx,
            title="Temps fort Maurepas : le numérique et vous",
            prompt="De quoi avez-vous besoin pour vos démarches en ligne ?",
            moderation="pre",
            site=DEMO_SITE,
            now=start,
        )
        ids = []
        for n, (theme, text, author, source, publish) in enumerate(NOTES):
            at = start + 300 + n * 360
            created = store.post_note_tx(
                tx, board["id"], text=text, theme=theme, author=author, source=source,
                trusted=source in ("paper", "spoken"), now=at,
            )
            ids.append(created["id"])
            if publish and created["status"] == "pending":
                store.moderate_tx(tx, created["id"], "publish", {}, now=at + 60)
        store.moderate_tx(tx, ids[7], "merge", {"into": ids[0]}, now=start + 4000)
        store.moderate_tx(tx, ids[4], "decision", {}, now=start + 4100)
        store.moderate_tx(tx, ids[4], "pin", {}, now=start + 4100)
        due = ctx.today + dt.timedelta(days=30)
        store.moderate_tx(
            tx, ids[1], "action",
            {"who": "Équipe de l'ESC Maurepas", "due": due.isoformat()}, now=start + 4200,
        )
        store.post_note_tx(tx, board["id"], text="Voir les aides pour acheter un ordinateur pas cher.", theme="droits",
                           source="tablet", now=start + 4300)

    await db.write(fill)
