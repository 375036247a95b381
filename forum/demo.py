"""Demo data: a neighbourhood forum in progress at the ESC Maurepas, and a hackathon at Carrefour 18
(three challenges, one of them born from a Maurepas note, teams with progress notes, pitches and a
closed final vote); last spring's city-wide forum (forum.demo_citywide)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from events import queries as programme
from forum import demo_citywide, hackathon, store, votes

DEMO_SITE = "maurepas"

NOTES = [
    # (theme, text, author, source, publish?)
    (
        "accompagnement",
        "Avoir quelqu'un pour m'aider à faire ma déclaration CAF en ligne, le samedi matin.",
        "Fatou",
        "tablet",
        True,
    ),
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

    def forum_session_today(d: Any) -> int | None:
        for o in programme.occurrences(d, ctx.today, ctx.today, site=DEMO_SITE, kind="forum"):
            return o["session"]
        return None

    session_id = await db.read(forum_session_today)

    def fill(tx: Any) -> None:
        board = store.create_board_tx(
            tx,
            title="Temps fort Maurepas : le numérique et vous",
            prompt="De quoi avez-vous besoin pour vos démarches en ligne ?",
            moderation="pre",
            site=DEMO_SITE,
            session_id=session_id,
            now=start,
        )
        ids = []
        for n, (theme, text, author, source, publish) in enumerate(NOTES):
            at = start + 300 + n * 360
            created = store.post_note_tx(
                tx,
                board["id"],
                text=text,
                theme=theme,
                author=author,
                source=source,
                trusted=source in ("paper", "spoken"),
                now=at,
            )
            ids.append(created["id"])
            if publish and created["status"] == "pending":
                store.moderate_tx(tx, created["id"], "publish", {}, now=at + 60)
        store.moderate_tx(tx, ids[7], "merge", {"into": ids[0]}, now=start + 4000)
        store.moderate_tx(tx, ids[4], "decision", {}, now=start + 4100)
        store.moderate_tx(tx, ids[4], "pin", {}, now=start + 4100)
        due = ctx.today + dt.timedelta(days=30)
        store.moderate_tx(
            tx,
            ids[1],
            "action",
            {"who": "Équipe de l'ESC Maurepas", "due": due.isoformat()},
            now=start + 4200,
        )
        store.post_note_tx(
            tx,
            board["id"],
            text="Voir les aides pour acheter un ordinateur pas cher.",
            theme="droits",
            source="tablet",
            now=start + 4300,
        )
        demo_hackathon(tx, ctx, caf_note=ids[0])
        demo_citywide.city_forum(tx, ctx)

    await db.write(fill)


HACK_SITE = "carrefour-18"
CHALLENGES = [
    # (title, description, from the Maurepas note about the CAF declaration?)
    ("Un pas-à-pas pour la déclaration CAF", "Une fiche imprimable et une page simple, écran par écran.", True),
    ("Trouver la bonne permanence près de chez soi", "Qui aide pour quoi, où et quand, sans internet aussi.", False),
    ("Les mots de l'administration en FALC", "Un lexique facile à lire des mots des courriers.", False),
]
TEAMS = [
    # (name, challenge index, members' first names, progress notes, what they built, dots in the final vote)
    (
        "Les Déclic",
        0,
        ["Fatou", "Marc", "Inès"],
        [
            "On a listé les 12 écrans de la déclaration.",
            "Test avec Jean-Yves : il bloque sur le mot de passe.",
            "La fiche tient sur un recto-verso A4.",
        ],
        "Une fiche A4 recto-verso et une page web d'une seule colonne, testées avec trois habitants.",
        9,
    ),
    (
        "Pas à pas",
        1,
        ["Karim", "Sophie"],
        ["Carte papier des permanences du quartier Sud-Gare.", "Idée : un affichage dans le hall de chaque ESC."],
        "Une carte imprimable des permanences, générée depuis le programme.",
        6,
    ),
    (
        "Mots simples",
        2,
        ["Lina", "Paul", "Aïcha", "Yann"],
        ["30 mots relevés dans des courriers CAF et CPAM.", "Relecture FALC avec l'atelier du jeudi."],
        "Un lexique de 30 mots en FALC, en français, arabe et anglais.",
        4,
    ),
]


def demo_hackathon(tx: Any, ctx: Any, caf_note: int) -> None:
    """The hackathon, tied to the programme's hackathon session at Carrefour 18 when there is one."""
    session = next((s for s in programme.sessions(tx.db, site=HACK_SITE) if s["kind"] == "hackathon"), None)
    title = session["title"] if session else "Hackathon social : des outils simples pour les démarches"
    hid = hackathon.create_hackathon_tx(tx, title=title, site=HACK_SITE, session_id=session["id"] if session else None)
    challenge_ids = [
        hackathon.add_challenge_tx(tx, hid, title=t, description=d, note_id=caf_note if from_note else None)
        for t, d, from_note in CHALLENGES
    ]
    team_ids = []
    for n, (name, challenge, members, notes, built, _dots) in enumerate(TEAMS):
        team_id = hackathon.add_team_tx(tx, hid, name=name, challenge_id=challenge_ids[challenge])
        team_ids.append(team_id)
        for m, first_name in enumerate(members):
            hackathon.join_team_tx(tx, team_id, first_name=first_name, device=f"demo-member-{n}-{m}")
        board_id = _known(hackathon.team(tx.db, team_id))["board_id"]
        for text in notes:
            store.post_note_tx(tx, board_id, text=text, theme="autre", source="tablet", trusted=True)
        hackathon.set_built_tx(tx, team_id, built)
    # Pitches: the last one ends with the session's day.
    start = None
    if session:
        day = ctx.today
        occurrences = programme.occurrences(tx.db, day, day + dt.timedelta(days=30), session_id=session["id"])
        if occurrences:
            start = hackathon.session_pitch_start(occurrences[0], len(TEAMS), 10)
    if start is None:
        start = ctx.now.replace(hour=16, minute=0, second=0, microsecond=0).timestamp()
    hackathon.set_pitches_tx(tx, hid, start=start, minutes=10)
    # The final vote, closed: 19 dots from the room's phones.
    h = _known(hackathon.hackathon(tx.db, hid))
    final = votes.open_round_tx(tx, h["board_id"], title="Vote final", budget=3)
    voter = 0
    for team in h["teams"]:
        dots = next(d for name, *_rest, d in TEAMS if name == team["name"])
        for _ in range(dots):
            votes.cast_tx(tx, team["pitch_note"], device=f"demo-voter-{voter}")
            voter += 1
    votes.close_round_tx(tx, final["id"])


def _known(row: dict[str, Any] | None) -> dict[str, Any]:
    assert row is not None, "written by the demo a moment ago"
    return row
