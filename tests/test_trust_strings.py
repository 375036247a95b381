"""Data never passes through the translation call (issue 16, point 4).

Jinja's newstyle gettext marked its result safe and %-formatted it: an audience of
`<meta http-equiv=refresh ...>` was HTML on the programme pages, `100% femmes` answered 500,
and a theme label `Réduction 50%d` broke the wall, the tablet, the phone and the console.
Every free-text field of the demo is filled with markup, `%`, `%d` and `{x}`, and every page
is rendered for a resident and for staff.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
from pathlib import Path

from quartier import i18n
from quartier.typedefs import DB
from tests.conftest import table_columns, table_names
from tests.hostile import (
    World,
    client_for,
    concrete,
    make_world,
    routes_of,
    server,  # noqa: F401  (the demo-filled server)
)

ROOT = Path(__file__).resolve().parent.parent
MARK = "<b>gras</b> 100% 50%d {x} %(num)d"
# Columns that hold free text, whatever their table (new tables get checked as they come).
FREE_TEXT = {
    "name", "title", "text", "body", "description", "prompt", "label", "reason", "room", "new_room",
    "address", "author", "partner", "first_name", "built", "neighbourhood", "commune", "action_who",
    "facilitators", "short_name",
}  # fmt: skip


def test_no_template_passes_data_to_the_translation_call():
    """`_()` takes a literal message; data that may be a stored message id goes through `translated()`."""
    files = subprocess.check_output(["git", "ls-files", "*.html", "*.svg"], cwd=ROOT, text=True).split()
    found = []
    for name in files:
        for n, line in enumerate((ROOT / name).read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"(?<![\w.])_\(\s*[^\"'\s)]", line):
                found.append(f"{name}:{n}: {line.strip()[:80]}")
    assert found == []


def test_the_template_translation_never_formats_and_always_escapes():
    with _fr():
        g = i18n.template_globals()
        assert str(g["_"]("100% femmes")) == "100% femmes"  # no %-formatting
        assert str(g["translated"]("<b>x</b> 50%d")) == "&lt;b&gt;x&lt;/b&gt; 50%d"
        assert (
            str(g["_"]("Compte rendu : {title}").format(title="<i>{x}</i>")) == "Compte rendu : &lt;i&gt;{x}&lt;/i&gt;"
        )
        assert str(g["ngettext"]("%(num)d réponse", "%(num)d réponses", 3)) == "3 réponses"


class _fr:
    def __enter__(self):
        self.token = i18n.current_language.set("fr")

    def __exit__(self, *exc):
        i18n.current_language.reset(self.token)


async def fill_every_text_field(app) -> None:
    def write(tx):
        for table in table_names(tx.db):
            if table.startswith("_") or table == "users":
                continue
            for c in table_columns(tx.db, table):
                column = c["name"]
                if column in FREE_TEXT and c["type"] == "TEXT":
                    tx.execute("SAVEPOINT one")
                    try:
                        tx.execute(f"UPDATE {table} SET {column} = ? WHERE {column} IS NOT NULL", (MARK,))
                    except sqlite3.IntegrityError:  # a key (unique names): not free text
                        tx.execute("ROLLBACK TO one")
                    tx.execute("RELEASE one")
        tx.execute("UPDATE sessions SET audience = ?, languages = ?", ('["' + MARK + '"]', '["fr"]'))

    await app[DB].write(write)


async def test_markup_percent_and_braces_in_every_field_render_as_text_everywhere(server, make_client):  # noqa: F811
    world: World = await make_world(server, make_client)
    await fill_every_text_field(server.app)
    resident = await make_client()
    problems = []
    for route in routes_of(server.app, unsafe=False):
        if route.name in ("ws",):
            continue
        path = concrete(route, world.ids)
        for who, client in (("staff", client_for(world, server.app, route)), ("resident", resident)):
            response = await client.get(path, allow_redirects=False)
            body = await response.text(errors="replace")  # some answers are files (ODS exports)
            if response.status >= 500:
                problems.append(f"{who} GET {path}: {response.status}")
            elif "text/html" in (response.content_type or "") and "<b>gras</b>" in body:
                problems.append(f"{who} GET {path}: markup from data rendered as HTML")
    assert problems == []
