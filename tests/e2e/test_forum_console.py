"""The facilitator's console in Chromium (issues 23 and 26 point 9): deleting asks and can be undone,
a note arriving live keeps the facilitator's focus and place, what a button did is announced, each
button names its note, and axe-core (every rule set, best practice included) finds nothing."""

from __future__ import annotations

from axe_playwright_python.async_playwright import Axe

from forum import store
from quartier.typedefs import DB
from tests.forum.conftest import make_board

from .conftest import wait_until


async def assert_axe_clean(page) -> None:
    """Every axe-core rule (WCAG A/AA and best practice), every impact: no violation at all."""
    results = await Axe().run(page, options={"resultTypes": ["violations"]})
    found = results.response["violations"]
    details = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}" for v in found]
    assert not found, "axe-core violations:\n" + "\n".join(details)


async def with_notes(server, moderation, texts):
    board = await make_board(server.app, moderation, site="maurepas")

    def fill(tx):
        return [store.post_note_tx(tx, board["id"], text=t, theme="droits", source="tablet")["id"] for t in texts]

    return board, await server.app[DB].write(fill)


def on_wall(text):
    return f"Array.from(document.querySelectorAll('.wall-note .note-text')).some(e => e.textContent === {text!r})"


async def open_console(page, board):
    await page.goto(f"/forum/boards/{board['id']}/console?key={board['key']}")
    await wait_until(page, "document.body.dataset.live === 'open'")


async def test_deleting_asks_then_can_be_undone_and_the_wall_follows(page, context, server):
    board, ids = await with_notes(server, "post", ["Des cours le soir", "Une imprimante en libre accès"])
    wall = await context.new_page()
    await wall.goto(f"/forum/boards/{board['id']}/wall")
    await wait_until(wall, "document.body.dataset.live === 'open'")
    assert await wall.evaluate(on_wall("Des cours le soir"))
    await open_console(page, board)
    card = f"#note-{ids[0]}"
    await page.click(f"{card} summary")
    answers = ["dismiss"]
    asked: list[str] = []

    async def on_dialog(dialog):
        asked.append(dialog.message)
        await (dialog.dismiss() if answers.pop(0) == "dismiss" else dialog.accept())

    page.on("dialog", on_dialog)
    await page.click(f"{card} form.delete-note button")
    for _ in range(100):  # the dialog is handled on Playwright's side
        if asked:
            break
        await page.wait_for_timeout(50)
    await page.wait_for_timeout(200)  # a dismissed confirmation posts nothing
    assert asked and asked[0].startswith(f"Supprimer la note n° {ids[0]} ?") and "15 secondes" in asked[0]
    assert await page.is_visible(card)  # dismissed: nothing deleted

    answers.append("accept")
    await page.click(f"{card} form.delete-note button")
    await wait_until(page, f"document.querySelector('{card}') === null")
    await wait_until(wall, f"!({on_wall('Des cours le soir')})")
    undo = "#console-undo button"
    assert await page.is_visible(undo)
    assert await page.evaluate("document.activeElement === document.querySelector('#console-undo button')")
    assert "supprimée" in await page.text_content("#console-undo")
    await page.keyboard.press("Enter")  # the undo, from where focus already is
    await wait_until(page, f"document.querySelector('{card}') !== null")
    await wait_until(wall, on_wall("Des cours le soir"))
    await wait_until(page, "document.getElementById('console-status').textContent.includes('rétablie')")
    assert await page.evaluate(f"document.querySelector('{card}').contains(document.activeElement)")
    assert await page.evaluate("!document.querySelector('#console-undo button')")


async def test_a_live_arrival_keeps_focus_and_place_and_actions_are_announced(page, server, client):
    texts = [f"Idée numéro {i} pour le quartier, assez longue pour une ligne" for i in range(12)]
    board, ids = await with_notes(server, "pre", texts)
    await page.set_viewport_size({"width": 1024, "height": 700})
    await open_console(page, board)
    # Each action button names its note.
    name = await page.evaluate(f"document.querySelector('#note-{ids[7]} .actions button').textContent")
    assert name.startswith("Publier") and "Idée numéro 7" in name
    button = f"#note-{ids[7]} .actions button"
    await page.focus(button)
    await page.evaluate(f"document.querySelector('#note-{ids[7]}').scrollIntoView({{block: 'center'}})")
    top = await page.evaluate(f"document.querySelector('#note-{ids[7]}').getBoundingClientRect().top")
    refreshed = await page.evaluate("document.body.dataset.refreshed || ''")

    r = await client.post(f"/api/v1/boards/{board['id']}/notes", json={"text": "Arrivée depuis un téléphone"})
    assert r.status == 201
    await wait_until(page, f"(document.body.dataset.refreshed || '') !== {refreshed!r}")
    assert await page.is_visible("text=Arrivée depuis un téléphone")
    assert await page.evaluate(f"document.activeElement === document.querySelector({button!r})")
    after = await page.evaluate(f"document.querySelector('#note-{ids[7]}').getBoundingClientRect().top")
    assert abs(after - top) <= 2, f"the note moved from {top} to {after} px"
    await wait_until(page, "document.getElementById('console-status').textContent === '13 notes à relire'")

    await page.keyboard.press("Enter")  # Publier, on the focused note
    await wait_until(page, f"document.getElementById('console-status').textContent === 'Note n° {ids[7]} publiée.'")
    focused = await page.evaluate("document.activeElement.textContent")
    assert focused.startswith("Masquer du mur") and "Idée numéro 7" in focused
    await assert_axe_clean(page)


NOTES_IN_VIEW = """(() => {
  const notes = Array.from(document.querySelectorAll('#console-live .console-note'));
  notes[0].scrollIntoView({block: 'start'});
  return notes.filter(n => { const r = n.getBoundingClientRect(); return r.top >= -1 && r.bottom <= innerHeight + 1; }).length;
})()"""


async def test_on_a_phone_the_console_fits_many_notes(page, server):
    texts = [f"Besoin n° {i} : un atelier pour les papiers de la CAF" for i in range(20)]
    board, ids = await with_notes(server, "pre", texts)
    await page.set_viewport_size({"width": 375, "height": 667})
    await open_console(page, board)
    in_view = await page.evaluate(NOTES_IN_VIEW)
    # Before the compact layout, Publier and Masquer stacked and two notes fitted.
    assert in_view >= 4, f"only {in_view} notes in view at 375x667"
    publish, hide = await page.evaluate(
        f"""Array.from(document.querySelectorAll('#note-{ids[0]} > .actions button'))
        .map(b => b.getBoundingClientRect()).map(r => [r.top, r.bottom, r.left, r.right])"""
    )
    assert publish[0] == hide[0] and publish[3] <= hide[2], "Publier and Masquer side by side"
    overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    await assert_axe_clean(page)


async def test_the_wall_writes_action_due_dates_as_dates_in_its_language(browser, base_url, server):
    board, ids = await with_notes(server, "post", ["Relancer la CAF", "Trouver une salle"])
    await server.app[DB].write(lambda tx: store.moderate_tx(tx, ids[0], "action", {"who": "Léa", "due": "2026-12-15"}))
    for locale, written in (("fr-FR", "Léa · 15 déc. 2026"), ("en-GB", "Léa · 15 Dec 2026")):
        ctx = await browser.new_context(base_url=base_url, locale=locale)
        wall = await ctx.new_page()
        await wall.goto(f"/forum/boards/{board['id']}/wall")
        await wait_until(wall, "document.body.dataset.live === 'open'")
        action = f"document.querySelector('.wall-note[data-note-id=\"{ids[0]}\"] .note-action').textContent"
        assert await wall.evaluate(action) == written
        # Live: an action marked while the wall is open reads the same way.
        due = "2027-01-03" if locale == "fr-FR" else "2027-01-04"
        await server.app[DB].write(lambda tx, due=due: store.moderate_tx(tx, ids[1], "action", {"who": "", "due": due}))
        live = f"document.querySelector('.wall-note[data-note-id=\"{ids[1]}\"] .note-action')"
        expected = " · 3 janv. 2027" if locale == "fr-FR" else " · 4 Jan 2027"
        await wait_until(wall, f"{live} !== null && {live}.textContent === {expected!r}")
        await ctx.close()


async def test_merging_picks_from_a_list_and_the_asking_pages_are_accessible(page, server):
    board, ids = await with_notes(server, "post", ["Plus d'ordinateurs", "Aide CAF", "Des ordinateurs en plus"])
    await open_console(page, board)
    await page.click(f"#note-{ids[2]} summary")
    await page.click(f"#note-{ids[2]} a:has-text('Regrouper avec une autre note')")
    await wait_until(page, "location.pathname.endsWith('/merge')")
    await assert_axe_clean(page)
    await page.check(f"input[name=into][value='{ids[0]}']")
    await page.click("main button:has-text('Regrouper')")
    await wait_until(page, "location.pathname.endsWith('/console')")
    assert await page.evaluate(f"document.querySelector('#note-{ids[2]}') === null")  # merged: off the lists
    assert "Des ordinateurs en plus" in await page.text_content(f"#note-{ids[0]}")
    # Without scripts, deleting asks on a page of its own.
    await page.goto(f"/forum/notes/{ids[1]}/delete?key={board['key']}")
    assert await page.text_content("h1") == f"Supprimer la note n° {ids[1]} ?"
    await assert_axe_clean(page)
