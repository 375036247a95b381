"""Demo data: the GT ESC's last three meetings. An action left open at the first is carried to the
second and the third, where it is done; one decided at the second is still open at the third."""

from __future__ import annotations

import datetime as dt
from typing import Any

from reports import meetings

PRESENT = ["Ville de Rennes", "CCAS", "CDAS", "CAF", "Centres sociaux", "Carrefour 18"]


def gt_esc(tx: Any, today: dt.date) -> None:
    days = [today - dt.timedelta(days=n) for n in (120, 60, 14)]
    first = meetings.create_meeting_tx(
        tx,
        series="GT ESC",
        day=days[0],
        place="ESC Le Blosne",
        site="le-blosne",
        attendees=PRESENT,
        agenda=["Bilan du temps fort du numérique", "Imprimantes en accès libre", "Calendrier du semestre"],
    )
    items = meetings.meeting(tx.db, first["id"])["items"]  # type: ignore[index]
    meetings.set_outcome_tx(
        tx, items[0]["id"], outcome="decision", text="Un temps fort du numérique chaque printemps dans les six ESC."
    )
    meetings.set_outcome_tx(
        tx,
        items[1]["id"],
        outcome="action",
        text="Remplacer l'imprimante de l'accès libre de Cleunay",
        who="Ville de Rennes",
        due=(days[0] + dt.timedelta(days=45)).isoformat(),
    )
    meetings.set_outcome_tx(tx, items[2]["id"], outcome="information", text="Les dates sont au programme.")
    meetings.set_state_tx(tx, first["id"], "held")

    second = meetings.create_meeting_tx(
        tx,
        series="GT ESC",
        day=days[1],
        place="ESC Maurepas",
        site="maurepas",
        attendees=PRESENT[:5],
        agenda=["Traduction des affiches"],
    )
    own = [i for i in meetings.meeting(tx.db, second["id"])["items"] if not i["carried"]]  # type: ignore[index]
    meetings.set_outcome_tx(
        tx,
        own[0]["id"],
        outcome="action",
        text="Traduire l'affiche des permanences en arabe et en turc",
        who="CCAS",
        due=(days[1] + dt.timedelta(days=60)).isoformat(),
    )
    meetings.set_state_tx(tx, second["id"], "held")

    third = meetings.create_meeting_tx(
        tx, series="GT ESC", day=days[2], place="Carrefour 18", attendees=PRESENT, agenda=["Budget de l'an prochain"]
    )
    carried = [i for i in meetings.meeting(tx.db, third["id"])["items"] if i["carried"]]  # type: ignore[index]
    printer = next(i for i in carried if "imprimante" in i["title"])
    meetings.set_done_tx(tx, printer["id"], True)
    meetings.create_meeting_tx(
        tx,
        series="GT ESC spécial numérique",
        day=today + dt.timedelta(days=21),
        place="ESC Villejean",
        agenda=["Préparer le temps fort du printemps"],
    )
