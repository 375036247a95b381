"""The minutes' structured editor (issue 23): staff never see the `<!-- quartier:… -->` markers;
the compiler's parts are shown read-only and regenerated, staff's words are edited per place and
kept; the stored draft and the Markdown export keep their shape; theme headings count what they list."""

import re

from forum import store
from quartier.typedefs import DB
from reports import minutes_compile
from tests.conftest import form, text_of

from .test_minutes import compile_, draft_of, fill_board


def fields_of(html: str) -> dict[str, str]:
    return {
        m[0]: m[1]
        for m in re.findall(r'<textarea id="text-([a-z-]+)" name="text-\1"[^>]*>(.*?)</textarea>', html, re.S)
    }


async def test_the_editor_hides_the_markers_and_keeps_staff_words_apart(organizer, server):
    board, ids = await fill_board(server.app)
    await compile_(organizer, board)
    url = f"/forum/boards/{board['id']}/minutes"
    html = await (await organizer.get(url)).text()
    structured = html[html.index('id="minutes-parts"') : html.index('class="minutes-advanced"')]
    assert "quartier:" not in structured  # no marker in the structured editor
    assert structured.count('class="minutes-block"') == 7  # every compiled part, read-only
    fields = fields_of(structured)
    assert set(fields) == {"start"} | {
        f"after-{n}" for n in minutes_compile.blocks_of((await draft_of(server.app, board))["markdown"])
    }
    assert fields["after-notes"] == "## Notes de l&#39;équipe"

    team = "## Notes de l'équipe\n\nMerci à l'ESC pour l'accueil."
    r = await form(
        organizer,
        f"{url}/save",
        {"text-after-notes": team, "text-after-feedback": "Prochain forum en mars.", "then": "save"},
    )
    assert r.status == 200
    md = (await draft_of(server.app, board))["markdown"]
    assert "Merci à l'ESC pour l'accueil.\n\n<!-- quartier:decisions -->" in md
    assert md.rstrip().endswith("<!-- /quartier:feedback -->\n\nProchain forum en mars.")
    assert len(minutes_compile.blocks_of(md)) == 7  # the compiled parts untouched, markers and all

    # New data, compiled again: the parts are regenerated, staff's words stay.
    await server.app[DB].write(
        lambda tx: store.post_note_tx(
            tx, board["id"], text="Des cours le samedi", theme="accompagnement", source="paper", trusted=True
        )
    )
    r = await form(organizer, f"{url}/compile", {}, allow_redirects=False)
    assert "kept=" not in r.headers["Location"]
    md = (await draft_of(server.app, board))["markdown"]
    assert "Des cours le samedi" in md and "Merci à l'ESC pour l'accueil." in md and "Prochain forum en mars." in md

    # The export keeps the document's shape: the same text as the draft, staff's words included.
    r = await form(organizer, f"{url}/save", {"then": "publish"}, allow_redirects=False)
    assert r.status == 303
    export = await (await organizer.get(f"/minutes/{board['id']}/v/1/minutes.md")).text()
    assert export.index("## Ce qui a été dit") < export.index("Merci à l'ESC") < export.index("## Décisions et actions")


async def test_a_text_field_cannot_forge_a_compiled_part_and_an_edited_part_can_be_reset(organizer, server):
    board, ids = await fill_board(server.app)
    await compile_(organizer, board)
    url = f"/forum/boards/{board['id']}/minutes"
    forged = "<!-- quartier:votes -->\nFaux\n<!-- /quartier:votes -->"
    r = await form(organizer, f"{url}/save", {"text-start": forged, "then": "save"})
    assert r.status == 422 and "repère « quartier: »" in text_of(await r.text())

    # A part changed in the advanced editor is marked, kept, and can go back to the compiled text.
    md = (await draft_of(server.app, board))["markdown"]
    r = await form(
        organizer, f"{url}/save", {"markdown": md.replace("### Priorités", "### Priorités (corrigé)"), "then": "save"}
    )
    assert r.status == 200
    html = await (await organizer.get(url)).text()
    assert "modifié à la main, gardé tel quel" in html and "Revenir au texte rempli par Quartier" in html
    r = await form(organizer, f"{url}/save", {"reset": "votes"})
    assert r.status == 200
    md = (await draft_of(server.app, board))["markdown"]
    assert "### Priorités\n" in md and "(corrigé)" not in md


async def test_theme_headings_count_the_notes_they_list(organizer, server):
    board, ids = await fill_board(server.app)  # two CAF notes merged into one: one note listed, ×2
    await compile_(organizer, board)
    md = (await draft_of(server.app, board))["markdown"]
    section = md[md.index("### Être accompagné") :].split("\n\n### ")[0]
    listed = [line for line in section.splitlines() if line.startswith("- ")]
    assert section.startswith(f"### Être accompagné ({len(listed)} note")
    assert listed == ["- Aide pour la déclaration CAF en ligne (1 gommette, ×2)"]
