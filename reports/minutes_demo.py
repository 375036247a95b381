"""Demo history: the walls of the past year's forum days (sessions added by events.demo_history),
with notes from every source, merges, a closed dot vote, decisions, actions (some done), the
attendance counter, and their minutes: published for Le Blosne (last month) and Villejean, a
draft for Cleunay."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from events import queries as programme
from forum import store, votes
from reports import decisions, minutes_compile, minutes_store

TEXTS = [
    ("droits", "Être aidé pour la déclaration trimestrielle de la CAF."),
    ("droits", "Je ne comprends pas les courriers de la CPAM."),
    ("droits", "Prendre rendez-vous à la préfecture est impossible en ligne."),
    ("droits", "Savoir à quelles aides j'ai droit avant de faire la demande."),
    ("accompagnement", "Des ateliers smartphone en petit groupe, avec des seniors."),
    ("accompagnement", "Apprendre à utiliser ma boîte mail sans avoir peur des arnaques."),
    ("accompagnement", "Quelqu'un qui parle arabe pour m'accompagner."),
    ("accompagnement", "Un atelier pour scanner et envoyer des documents depuis le téléphone."),
    ("acces-libre", "Plus d'ordinateurs libres le mercredi après-midi."),
    ("acces-libre", "Une imprimante qui marche et du papier."),
    ("acces-libre", "Le wifi dans la salle d'attente."),
    ("acces-libre", "Ouvrir l'accès libre le samedi matin."),
    ("autre", "Un coin enfants pendant les permanences."),
    ("autre", "Des affiches en plusieurs langues."),
]
DUPLICATES = {"droits": "Aide pour la déclaration CAF en ligne.", "acces-libre": "Imprimante en panne trop souvent."}
SOURCES = ("tablet", "phone", "paper", "spoken")
FACILITATORS = {
    "le-blosne": "Awa (médiatrice numérique), centre social du Blosne",
    "villejean": "Thomas (médiateur numérique), CDAS Villejean",
    "cleunay": "Nadia (médiatrice numérique), ESC Cleunay",
}
ACTIONS = [
    ("Tester un créneau d'accès libre le samedi matin", "Équipe de l'ESC"),
    ("Traduire l'affiche des permanences en arabe et en turc", "Centre social"),
    ("Demander une imprimante de remplacement", "Ville de Rennes"),
]


async def demo(ctx: Any) -> None:
    rng = random.Random(35200)

    def past_forums(d: Any) -> list[dict[str, Any]]:
        out = []
        for slug in ("le-blosne", "villejean", "cleunay"):
            for s in programme.sessions(d, site=slug):
                day = dt.date.fromisoformat(s["first_date"])
                if s["kind"] == "forum" and day < ctx.today:
                    out.append({**s, "day": day})
        return out

    forums = await ctx.db.read(past_forums)

    def write(tx: Any) -> None:
        for n, s in enumerate(forums):
            _past_forum(tx, ctx, rng, n, s)

    await ctx.db.write(write)


def _past_forum(tx: Any, ctx: Any, rng: random.Random, n: int, s: dict[str, Any]) -> None:
    """One past forum day: its notes (a few merged), a decision, actions, a closed vote, its minutes."""
    tz = ctx.settings.tz
    start = dt.datetime.combine(s["day"], dt.time(10, 0), tzinfo=tz).timestamp()
    bid = store.create_board_tx(
        tx,
        title=s["title"],
        prompt="Qu'est-ce qui vous aiderait dans vos démarches ?",
        moderation="post",
        site=s["site"],
        session_id=s["id"],
        now=start,
    )["id"]
    note_ids = _notes(tx, rng, bid, start)
    store.moderate_tx(tx, note_ids[0], "decision", {}, now=start + 9000)
    for a, (text, who) in enumerate(ACTIONS[: 2 + n % 2]):
        aid = store.post_note_tx(tx, bid, text=text, theme="autre", source="spoken", trusted=True, now=start + 9100 + a)
        due = s["day"] + dt.timedelta(days=30 + 15 * a)
        store.moderate_tx(tx, aid["id"], "action", {"who": who, "due": due.isoformat()}, now=start + 9200)
        if due < ctx.today and a == 0:
            decisions.set_done_tx(tx, aid["id"], True, now=start + 86400 * 20)
    r = votes.open_round_tx(tx, bid, title="Nos priorités", budget=3, now=start + 10000)
    for voter in range(18 + 4 * n):
        for choice in rng.sample(note_ids[:7], 2):
            votes.cast_tx(tx, choice, device=f"demo-past-{bid}-{voter}", now=start + 10100 + voter)
    votes.close_round_tx(tx, r["id"], now=start + 12000)
    minutes_store.attendance_tx(tx, bid, value=rng.randint(25, 45))
    minutes_store.set_facilitators_tx(tx, bid, FACILITATORS.get(s["site"], ""))
    store.set_state_tx(tx, bid, "closed")
    minutes_compile.compile_tx(tx, bid, tz, now=start + 30000)
    if s["site"] != "cleunay":
        minutes_store.publish_tx(tx, bid, "demo", now=start + 86400)


def _notes(tx: Any, rng: random.Random, bid: int, start: float) -> list[int]:
    """Ten notes from every source, and two duplicates merged into them; returns the notes' ids."""
    picked = rng.sample(TEXTS, 10)
    ids: dict[str, int] = {}
    theme_of = {text: theme for theme, text in picked}
    for k, (theme, text) in enumerate(picked):
        source = SOURCES[k % 4]
        trusted = source in ("paper", "spoken")
        note = store.post_note_tx(
            tx, bid, text=text, theme=theme, source=source, trusted=trusted, now=start + 600 + k * 400
        )
        ids[text] = note["id"]
    for theme, text in DUPLICATES.items():
        dup = store.post_note_tx(tx, bid, text=text, theme=theme, source="phone", now=start + 5000)["id"]
        into = next((i for t, i in ids.items() if theme_of[t] == theme), None)
        if into:
            store.moderate_tx(tx, dup, "merge", {"into": into}, now=start + 5100)
    return list(ids.values())
