"""CSV formulas (issue 16, point 5): what residents typed never opens as a live formula.

A note `=HYPERLINK(...)` or a comment `=cmd|' /C calc'!A0` landed as a formula in the minutes'
public notes.csv, the staff feedback export and the decisions CSV.
"""

from __future__ import annotations

import csv
import io

import pytest

from quartier import csvout
from quartier.typedefs import DB, SETTINGS
from reports import minutes_compile, minutes_store
from tests.forum.conftest import make_board
from tests.reports.test_feedback import ANSWER, past_session

ATTACKS = [
    '=HYPERLINK("http://evil.example","clic")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|x",
    "-2+3",
    "@SUM(1)",
    "\tx",
    "\rx",
]


@pytest.mark.parametrize("value", ATTACKS)
def test_a_cell_that_could_start_a_formula_is_neutralised(value):
    assert csvout.cell(value) == "'" + value


@pytest.mark.parametrize("value", ["+33 1 23 45 67 89", "-2,5", "42", "Bonjour", "", 12, -3.5, None])
def test_numbers_phones_and_plain_text_are_left_as_they_are(value):
    assert csvout.cell(value) == value


def formulas(text: str) -> list[str]:
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    return [c for c in cells if c.startswith(csvout.FORMULA_START) and not csvout._NUMBER_LIKE.fullmatch(c)]


async def test_notes_comments_and_decisions_are_inert_in_every_export(client, organizer, server):
    app = server.app
    board = await make_board(app, "post", site="maurepas")
    key = {"key": board["key"]}
    for text in ATTACKS[:3]:
        r = await client.post(f"/api/v1/boards/{board['id']}/notes", json={"text": text})
        assert r.status == 201
    note = (await r.json())["id"]
    await client.post(f"/api/v1/notes/{note}/moderation", json={"action": "decision"}, params=key)
    await app[DB].write(lambda tx: minutes_compile.compile_tx(tx, board["id"], app[SETTINGS].tz))
    version = await app[DB].write(lambda tx: minutes_store.publish_tx(tx, board["id"], "staff"))
    session, day = await past_session(app, title="=1+1 atelier")
    r = await client.post(
        f"/api/v1/sessions/{session}/feedback",
        json={"date": day.isoformat(), "answers": {**ANSWER, "comment": ATTACKS[1]}},
    )
    assert r.status == 201, await r.text()
    exports = {
        "notes.csv": await client.get(f"/minutes/{board['id']}/v/{version}/notes.csv"),
        "feedback": await organizer.get("/staff/feedback/export.csv"),
        "decisions": await organizer.get("/forum/decisions.csv"),
        "sessions": await client.get(f"/open-data/sessions.csv?from={day.isoformat()}&to={day.isoformat()}"),
        "report": await organizer.get("/staff/report.csv", params={"year": str(day.year)}),
    }
    for name, response in exports.items():
        assert response.status == 200, name
        text = await response.text()
        assert formulas(text) == [], name
    assert "'=cmd|' /C calc'!A0" in await exports["feedback"].text()  # kept, but as text
