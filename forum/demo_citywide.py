"""Demo data: last spring's city-wide forum across the six ESC (a board each, notes from every
source, a city-wide vote, decisions and actions), closed; reports compiles its combined minutes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from forum import city_votes, citywide, store, votes

ESC = ("maurepas", "cleunay", "centre", "le-blosne", "villejean", "brequigny")
THEMES = ["Accès libre", "Être accompagné", "Mes droits", "Autre chose"]
NOTES = {
    # site: [(theme index, text, source)]
    "maurepas": [
        (1, "Quelqu'un pour m'aider à déclarer mes ressources à la CAF.", "tablet"),
        (0, "Des ordinateurs libres le samedi matin.", "phone"),
        (2, "Savoir si j'ai droit à la complémentaire santé solidaire.", "paper"),
    ],
    "cleunay": [
        (0, "Le wifi qui marche dans la salle d'attente.", "tablet"),
        (1, "Un atelier pour les mails et les arnaques.", "spoken"),
    ],
    "centre": [
        (2, "Prendre rendez-vous à la préfecture est impossible.", "phone"),
        (3, "Des affiches en plusieurs langues.", "tablet"),
    ],
    "le-blosne": [
        (1, "Quelqu'un qui parle arabe pour m'accompagner.", "paper"),
        (0, "Une imprimante qui marche, et du papier.", "tablet"),
        (2, "Comprendre les courriers de la CPAM.", "phone"),
    ],
    "villejean": [
        (1, "Des ateliers smartphone pour les seniors.", "tablet"),
        (3, "Un coin enfants pendant les permanences.", "spoken"),
    ],
    "brequigny": [
        (0, "Ouvrir l'accès libre après 18 h.", "phone"),
        (2, "Être aidé pour le chèque énergie.", "tablet"),
    ],
}


def last_spring(today: dt.date) -> dt.date:
    return dt.date(today.year if today.month > 6 else today.year - 1, 5, 21)


def city_forum(tx: Any, ctx: Any) -> int:
    """The closed city-wide forum of last spring; returns its id."""
    day = last_spring(ctx.today)
    start = dt.datetime.combine(day, dt.time(10, 0), tzinfo=ctx.settings.tz).timestamp()
    created = citywide.create_forum_tx(
        tx,
        title="Temps fort du numérique en quartiers",
        prompt="Qu'est-ce qui vous aiderait avec le numérique ?",
        sites=list(ESC),
        themes=THEMES,
        starts=day.isoformat(),
        ends=day.isoformat(),
        moderation="post",
        now=start,
    )
    forum = citywide.forum(tx.db, created["id"])
    assert forum is not None
    slugs = [t["slug"] for t in forum["themes"]]
    ids: list[int] = []
    for k, board in enumerate(forum["boards"]):
        for n, (theme, text, source) in enumerate(NOTES[board["site"]]):
            note = store.post_note_tx(
                tx,
                board["id"],
                text=text,
                theme=slugs[theme],
                source=source,
                trusted=source in ("paper", "spoken"),
                now=start + 600 + 300 * n + 60 * k,
            )
            ids.append(note["id"])
    store.moderate_tx(tx, ids[0], "decision", {}, now=start + 9000)
    due = (day + dt.timedelta(days=45)).isoformat()
    store.moderate_tx(tx, ids[1], "action", {"who": "Ville de Rennes", "due": due}, now=start + 9100)
    city = city_votes.open_city_round_tx(
        tx, forum["id"], title="Nos priorités pour la ville", budget=2, now=start + 10000
    )
    for voter in range(30):
        for note_id in (ids[voter % len(ids)], ids[(voter * 7 + 3) % len(ids)]):
            votes.cast_tx(tx, note_id, device=f"demo-city-{voter}", now=start + 10100 + voter)
    city_votes.close_city_round_tx(tx, city["id"], now=start + 12000)
    citywide.set_forum_state_tx(tx, forum["id"], "closed")
    return int(forum["id"])
