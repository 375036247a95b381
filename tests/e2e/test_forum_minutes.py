"""In a real browser (issue 9): after the session, an organizer counts people on the console,
prepares the minutes, edits them with the live preview, publishes and opens the printable page."""

import time

from forum import store
from quartier import auth
from quartier.typedefs import DB

from .conftest import assert_accessible, wait_until


async def test_an_organizer_produces_the_minutes_from_the_console_and_prints_them(page, server):
    def fill(tx):
        board = store.create_board_tx(tx, title="Forum du Blosne", prompt="Vos besoins ?", moderation="post")
        for text, source in (
            ("Du wifi dans la salle d'attente", "tablet"),
            ("Aide CAF le samedi", "paper"),
            ("Une imprimante qui marche", "phone"),
        ):
            store.post_note_tx(tx, board["id"], text=text, source=source, trusted=True)
        return board["id"]

    board_id = await server.app[DB].write(fill)
    await auth.add_user(server.app[DB], "orga", "organizer", "correct horse battery staple")
    started = time.monotonic()
    await page.goto(f"/login?next=/forum/boards/{board_id}/console")
    await page.fill("#name", "orga")
    await page.fill("#password", "correct horse battery staple")
    await page.click("main button[type=submit]")
    # People counted during the session: live, without a reload.
    await wait_until(page, "document.body.dataset.live === 'open'")
    for _ in range(3):
        await page.click("#presence-box button[aria-label='Une personne de plus']")
    await wait_until(page, "document.getElementById('presence-count').textContent === '3'")
    await page.click("#presence-box button[aria-label='Une personne de moins']")
    await wait_until(page, "document.getElementById('presence-count').textContent === '2'")
    await assert_accessible(page)

    await page.click("text=Compte rendu de la séance")
    await page.fill("#facilitators", "Awa, médiatrice numérique")
    await page.click("text=Préparer le compte rendu")
    await wait_until(page, "document.getElementById('minutes-parts') !== null")
    # The structured editor: the compiled parts read-only, no marker in sight, staff's words in fields.
    assert "compteur de l'animation) : 2" in await page.text_content("#minutes-parts .minutes-block:nth-of-type(2)")
    assert "quartier:" not in await page.text_content("#minutes-parts")
    assert not await page.is_visible("#markdown")  # the raw Markdown waits behind "avancé"
    await assert_accessible(page)
    await page.fill("#text-after-notes", "## Notes de l'équipe\n\nProchain forum en mars.")
    await page.click("#minutes-parts button:has-text('Enregistrer et publier')")
    await wait_until(page, "location.pathname.endsWith('/v/1')")
    assert "Prochain forum en mars." in await page.text_content("article.minutes-body")
    await assert_accessible(page)
    await page.click("text=Version imprimable (A4)")
    await wait_until(page, "document.body.classList.contains('minutes-print')")
    assert time.monotonic() - started < 300  # under five minutes, with time to spare
    heading = await page.text_content("h1")
    assert heading == "Compte rendu : Forum du Blosne"
    assert "Awa, médiatrice numérique" in await page.text_content("article")
    await page.emulate_media(media="print")
    pdf = await page.pdf(format="A4", tagged=True, outline=True)
    assert pdf[:4] == b"%PDF"
    # Printed as a tagged PDF (issue 26): its structure (headings, lists) and its language survive.
    assert b"/StructTreeRoot" in pdf and b"/MarkInfo" in pdf
    await assert_accessible(page)


async def test_the_report_and_decision_records_pages_are_accessible(page, server):
    def fill(tx):
        board = store.create_board_tx(tx, title="Forum", moderation="post")
        note = store.post_note_tx(tx, board["id"], text="Réparer l'imprimante", source="paper", trusted=True)
        store.moderate_tx(tx, note["id"], "action", {"who": "ESC", "due": "2026-12-01"})

    await server.app[DB].write(fill)
    await auth.add_user(server.app[DB], "orga", "organizer", "correct horse battery staple")
    await page.goto("/login?next=/forum/decisions")
    await page.fill("#name", "orga")
    await page.fill("#password", "correct horse battery staple")
    await page.click("main button[type=submit]")
    await wait_until(page, "document.querySelector('table.records') !== null")
    await page.click("text=Marquer faite")
    await wait_until(page, "document.body.textContent.includes('Rouvrir')")
    await assert_accessible(page)
    await page.goto("/staff/report")
    assert await page.locator("svg.chart").count() == 7
    await assert_accessible(page)
