"""Keyboard, focus and timing checks of issue 26, in real Chromium: the ballots keep the focus and
say their dots in words, a tablet turn warns before it ends and never thanks a voter who did not
vote, a refused post keeps the person in the form, the counter speaks only at thresholds."""

from __future__ import annotations

from forum import votes
from quartier.typedefs import DB

from .conftest import wait_until
from .test_accessibility_paths import PHONE, TABLET, open_tablet_ballot, voting_board

FOCUSED = "(() => { const el = document.activeElement; return el ? (el.id || el.className || el.tagName) : ''; })()"


async def focused_in(page, selector: str) -> bool:
    return await page.evaluate(f"!!document.activeElement.closest({selector!r})")


async def test_a_phone_ballot_says_its_dots_in_words_and_keeps_the_focus(page, server):
    await page.set_viewport_size(PHONE)
    board, ids = await voting_board(server.app, ["Du wifi", "Une imprimante"], budget=2)
    await page.goto(f"/j/{board['code']}/vote")
    words = f"#note-{ids[0]} .dots-words"
    assert await page.text_content(words) == "Aucune de vos gommettes sur cette note."
    await page.focus(f"#note-{ids[0]} button.add-dot")
    await page.keyboard.press("Enter")
    await wait_until(page, f"document.querySelector('#note-{ids[0]}').dataset.mine === '1'")
    assert await page.text_content(words) == "Vous avez mis 1 gommette sur cette note."
    assert await page.text_content("#budget") == "Il vous reste 1 gommette sur 2."
    assert await focused_in(page, f"#note-{ids[0]} .add-dot"), await page.evaluate(FOCUSED)
    # Taking back the last dot hides "Retirer": the focus moves to "+ Une gommette", never to the page.
    await page.focus(f"#note-{ids[0]} button.remove-dot")
    await page.keyboard.press("Enter")
    await wait_until(page, f"document.querySelector('#note-{ids[0]}').dataset.mine === '0'")
    assert await page.locator(f"#note-{ids[0]} button.remove-dot").is_hidden()
    assert await focused_in(page, f"#note-{ids[0]} .add-dot"), await page.evaluate(FOCUSED)
    assert await page.text_content(words) == "Aucune de vos gommettes sur cette note."


async def test_a_tablet_turn_counts_every_touch_warns_and_can_go_on(context, server):
    page = await context.new_page()
    await page.set_viewport_size(TABLET)
    await page.clock.install()
    board, ids = await voting_board(server.app, ["Du wifi", "Une imprimante"], budget=1)
    await open_tablet_ballot(page, server.app, board)
    # Reading and moving with Tab and the scroll are activity: the turn goes on.
    for _ in range(3):
        await page.clock.run_for(60_000)
        await page.keyboard.press("Tab")
    await page.clock.run_for(60_000)
    await page.evaluate("window.scrollTo(0, 200); window.dispatchEvent(new Event('scroll'))")
    await page.clock.run_for(60_000)
    assert "turn=" in page.url and await page.locator("#idle-banner").is_hidden()
    # Untouched for 70 s: a warning with 20 s to answer; "Je continue" keeps the turn.
    await page.clock.run_for(12_000)
    assert await page.locator("#idle-banner").is_visible()
    assert "Toujours là" in await page.text_content("#idle-banner")
    await page.click("#idle-continue")
    assert await page.locator("#idle-banner").is_hidden() and "turn=" in page.url


async def test_an_ended_turn_thanks_only_a_voter_who_voted(context, server):
    page = await context.new_page()
    await page.set_viewport_size(TABLET)
    await page.clock.install()
    board, ids = await voting_board(server.app, ["Du wifi", "Une imprimante"], budget=1)
    await open_tablet_ballot(page, server.app, board)
    async with page.expect_navigation():
        await page.clock.run_for(91_000)  # nobody touched the tablet
    assert "Le tour est terminé sans gommette posée" in await page.text_content("main")
    assert "Merci" not in await page.text_content("main")
    await page.click("#new-voter")
    await page.click(f"#note-{ids[0]} button.add-dot")
    await wait_until(page, f"document.querySelector('#note-{ids[0]}').dataset.mine === '1'")
    await page.click("#finish")
    assert "Merci ! Votre vote est compté." in await page.text_content("main")
    rounds = await server.app[DB].read(lambda d: votes.rounds(d, board["id"]))
    assert rounds[0]["dots"] == 1
