"""Residents find the forum from the programme, and a phone sees the wall's notes live (issue 23)."""

import datetime as dt

from forum import queries, store
from quartier.typedefs import DB, SETTINGS
from tests.events.helpers import add_session, add_site

from .conftest import assert_accessible, wait_until

PHONE = {"width": 375, "height": 740}


async def forum_day(server):
    app = server.app
    day = dt.datetime.now(app[SETTINGS].tz).date() + dt.timedelta(days=3)
    await add_site(app)
    session = await add_session(app, title="Forum de quartier", kind="forum", date=day.isoformat(), repeat=None)
    created = await app[DB].write(
        lambda tx: store.create_board_tx(
            tx, title="Le quartier demain", moderation="post", site="maurepas", session_id=session
        )
    )
    board = await app[DB].read(lambda d: queries.board(d, created["id"]))
    return session, board


async def test_the_forum_is_found_from_its_session_its_site_and_every_header(page, server):
    session, board = await forum_day(server)
    await page.set_viewport_size(PHONE)
    await page.goto(f"/sessions/{session}")
    join = page.locator(".join-boards")
    assert board["code"] in await join.text_content() and "/j" in await join.text_content()
    await assert_accessible(page)
    await page.goto("/sites/maurepas")
    await page.click(f".join-boards a[href='/j/{board['code']}']")
    await page.wait_for_url(f"**/j/{board['code']}")
    await page.goto("/programme")
    await page.click("text=Forum : entrer un code")
    await page.wait_for_url("**/j")
    await page.fill("#code", board["code"].lower())
    await page.click("main button[type=submit]")
    await page.wait_for_url(f"**/j/{board['code']}")


async def test_after_posting_a_phone_sees_the_other_notes_live(page, context, server):
    _session, board = await forum_day(server)
    app = server.app
    await app[DB].write(lambda tx: store.post_note_tx(tx, board["id"], text="Un banc devant l'école", source="paper"))
    await page.set_viewport_size(PHONE)
    await page.goto(f"/j/{board['code']}")
    notes = page.locator("#board-notes .note-text")
    assert await notes.all_text_contents() == ["Un banc devant l'école"]
    await wait_until(page, "document.body.dataset.live === 'open'")
    await page.fill("#note-text", "Des cours de français le soir")
    await page.click("button.send")
    await wait_until(page, "document.querySelector('#board-notes .note-text').textContent.includes('français')")
    # A note from the room's tablet comes in at the top; a note hidden by the facilitator leaves.
    tablet = await context.new_page()
    await tablet.goto(f"/forum/boards/{board['id']}/tablet")
    await tablet.fill("#note-text", "<b>Wi-Fi</b> à la médiathèque")
    await tablet.click("button.send")
    await wait_until(page, "document.querySelector('#board-notes .note-text').textContent.includes('Wi-Fi')")
    assert await page.evaluate("document.querySelectorAll('#board-notes b').length") == 0  # text, never HTML
    first = await app[DB].fetchone("SELECT id FROM forum_notes WHERE text = ?", ("Un banc devant l'école",))
    await app[DB].write(lambda tx: store.moderate_tx(tx, first["id"], "hide", {}))
    await wait_until(page, "document.querySelectorAll('#board-notes li').length === 2")
    assert "Un banc" not in await page.text_content("#board-notes")
    await assert_accessible(page)
