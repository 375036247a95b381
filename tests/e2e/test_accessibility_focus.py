"""Keyboard, focus and timing checks of issue 26, in real Chromium: the ballots keep the focus and
say their dots in words, a tablet turn warns before it ends and never thanks a voter who did not
vote, a refused post keeps the person in the form, the counter speaks only at thresholds."""

from __future__ import annotations

import time

import pytest

from forum import hackathon, store, votes
from quartier.typedefs import DB
from tests.conftest import PASSWORD
from tests.hostile import server  # noqa: F401  (the demo-filled server)

from .conftest import wait_until
from .test_accessibility_paths import NARROW, PHONE, TABLET, WALL, open_tablet_ballot, screen_at, voting_board, world  # noqa: F401

FOCUSED = "(() => { const el = document.activeElement; return el ? (el.id || el.className || el.tagName) : ''; })()"


async def focused_in(page, selector: str) -> bool:
    return await page.evaluate(f"!!document.activeElement.closest({selector!r})")


async def test_a_phone_ballot_says_its_dots_in_words_and_keeps_the_focus(page, server):  # noqa: F811
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


async def test_a_tablet_turn_counts_every_touch_warns_and_can_go_on(context, server):  # noqa: F811
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


async def test_an_ended_turn_thanks_only_a_voter_who_voted(context, server):  # noqa: F811
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


POSTING = {"tablet": ("/forum/boards/{board}/tablet", TABLET), "phone": ("/j/{code}", PHONE)}


async def posting_page(context, world, kind):  # noqa: F811
    page = await context.new_page()  # the server's refusals are expected 409s
    url, size = POSTING[kind]
    await page.set_viewport_size(size)
    await page.goto(url.format(board=world.ids["board"], code=world.ids["code"]))
    return page


async def field_state(page) -> dict:
    return await page.evaluate(
        "(() => { const t = document.getElementById('note-text'); return {focused: document.activeElement === t,"
        " invalid: t.getAttribute('aria-invalid'), described: t.getAttribute('aria-describedby'),"
        " error: (document.getElementById('note-error') || {}).textContent || null}; })()"
    )


@pytest.mark.parametrize("kind", ["tablet", "phone"])
async def test_a_refused_post_keeps_the_person_in_the_field(context, server, world, kind):  # noqa: F811
    page = await posting_page(context, world, kind)
    await page.fill("#note-text", "   ")
    await page.click("button.send")
    state = await field_state(page)
    assert state == {
        "focused": True,
        "invalid": "true",
        "described": "note-counter note-error",
        "error": "Écrivez votre note avant de l’envoyer.",
    }
    await page.keyboard.press("Tab")  # the next Tab goes on in the form, not out of the document
    assert await page.evaluate("document.activeElement.id") == "note-author"
    await page.focus("#note-text")
    await page.keyboard.type("Du wifi")  # fixing the text clears the error
    state = await field_state(page)
    assert state["invalid"] is None and state["error"] is None and state["described"] == "note-counter"
    # Refused by the server (the board closed meanwhile): the text comes back, the focus stays with it.
    await server.app[DB].write(lambda tx: store.set_state_tx(tx, world.ids["board"], "closed"))
    await page.click("button.send")
    await wait_until(page, "document.getElementById('note-error') !== null")
    state = await field_state(page)
    assert state["focused"] and state["invalid"] == "true" and "fermé" in state["error"]
    assert await page.input_value("#note-text") == "   Du wifi"  # (typed after the blanks)


@pytest.mark.parametrize("kind", ["tablet", "phone"])
async def test_the_counter_speaks_at_thresholds_and_a_long_text_is_never_cut(context, server, world, kind):  # noqa: F811
    page = await posting_page(context, world, kind)
    await page.evaluate(
        "window.__spoken = []; new MutationObserver(() => window.__spoken.push("
        "document.getElementById('note-limit').textContent)).observe("
        "document.getElementById('note-limit'), {childList: true, characterData: true, subtree: true})"
    )
    assert await page.get_attribute("#note-counter", "aria-live") is None
    await page.focus("#note-text")
    await page.keyboard.type("a" * 300, delay=0)
    spoken = [s for s in await page.evaluate("window.__spoken") if s]
    assert spoken == [
        "Plus que 30 caractères possibles.",
        "Vous avez atteint 280 caractères : la note est complète.",
        "1 caractère de trop : raccourcissez la note pour l’envoyer.",
    ], spoken
    assert len(await page.input_value("#note-text")) == 300  # nothing dropped
    assert await page.text_content("#note-counter") == "20 caractères de trop : raccourcissez la note pour l’envoyer."
    await page.click("button.send")
    state = await field_state(page)
    assert state["focused"] and state["invalid"] == "true" and "20 caractères de trop" in state["error"]
    # A paste longer than the limit is kept whole and said too long.
    await page.fill("#note-text", "b" * 400)
    assert len(await page.input_value("#note-text")) == 400
    assert "120 caractères de trop" in await page.text_content("#note-counter")


async def test_the_confirmation_stays_until_the_next_person_and_can_be_seen_again(page, server, world):  # noqa: F811
    await page.set_viewport_size(TABLET)
    await page.clock.install()
    await page.goto(f"/forum/boards/{world.ids['board']}/tablet")
    await page.fill("#note-text", "Un atelier le samedi")
    await page.click("button.send")
    await wait_until(page, "document.getElementById('note-sent').dataset.state === 'sent'")
    await page.clock.run_for(30_000)  # no time limit on the thanks
    assert await page.locator("#note-sent").is_visible()
    await page.click(".note-sent-close")
    assert await page.locator("#note-sent-again").is_visible()
    await page.click("#note-sent-again button")
    assert await page.locator("#note-sent").is_visible()
    assert await page.evaluate("document.activeElement.className") == "note-sent-close"
    await page.click(".note-sent-close")
    await page.clock.run_for(61_000 + 16_000)  # the idle reset: the next person finds a fresh page
    assert await page.locator("#note-sent").is_hidden() and await page.locator("#note-sent-again").is_hidden()


async def test_the_pitch_screen_follows_the_bus_without_reloading(page, server, world):  # noqa: F811
    hid = world.ids["hackathon"]
    now = time.time()
    await server.app[DB].write(lambda tx: hackathon.set_pitches_tx(tx, hid, start=now - 60, minutes=10))
    await page.goto(f"/hackathons/{hid}/pitches")
    assert await page.locator("meta[http-equiv=refresh]").count() == 0
    await wait_until(page, "document.body.dataset.live === 'open'")
    first = await page.text_content("#pitch-current")
    assert first != "—"
    await page.evaluate("window.__samePage = true")
    await server.app[DB].write(lambda tx: hackathon.set_pitches_tx(tx, hid, start=now + 3600, minutes=10))
    await wait_until(page, "document.getElementById('pitch-current').textContent === '—'", timeout=3)
    assert await page.text_content("#pitch-next") == first
    assert await page.evaluate("window.__samePage === true")  # swapped in place, never reloaded


async def paging_wall(page, server, *, reduced: bool = False) -> None:  # noqa: F811
    def fill(tx):
        board = store.create_board_tx(tx, title="Temps fort", prompt="Vos besoins ?", moderation="post")
        for i in range(48):
            store.post_note_tx(
                tx, board["id"], text=f"Idée numéro {i} : un atelier de plus le soir", author="Aïcha", source="tablet"
            )
        return board["id"]

    board_id = await server.app[DB].write(fill)
    await page.clock.install()
    await page.emulate_media(reduced_motion="reduce" if reduced else "no-preference")
    await page.set_viewport_size(WALL)
    await page.goto(f"/forum/boards/{board_id}/wall")
    await wait_until(page, "document.body.dataset.fit === 'pages'")


async def indicator(page) -> str:
    return await page.text_content(".wall-column[data-theme='autre'] .page-indicator")


async def test_the_wall_pages_sooner_and_the_facilitator_can_pause_it(page, server):  # noqa: F811
    await paging_wall(page, server)
    sizes = await page.evaluate(
        "(() => { const n = Array.from(document.querySelectorAll('.wall-note')).find(e => e.offsetParent !== null);"
        " const px = (s) => parseFloat(getComputedStyle(n.querySelector(s)).fontSize);"
        " return [px('.note-text'), px('.note-author')]; })()"
    )
    assert sizes[0] >= 29 and sizes[1] >= 23, sizes  # read from 5 m on a 1080p wall (was 23 px and 16 px)
    assert await indicator(page) == "1/" + (await indicator(page)).split("/")[1]
    await page.clock.run_for(12_500)
    assert (await indicator(page)).startswith("2/")
    await page.click("#wall-pause")
    assert await page.get_attribute("#wall-pause", "aria-pressed") == "true"
    await page.clock.run_for(40_000)
    assert (await indicator(page)).startswith("2/")  # paused: the page stays
    await page.click("#wall-next")
    assert (await indicator(page)).startswith("3/")
    await page.click("#wall-pause")
    await page.clock.run_for(12_500)
    assert (await indicator(page)).startswith("4/") or (await indicator(page)).startswith("1/")


async def test_the_wall_starts_paused_when_the_system_asks_for_reduced_motion(page, server):  # noqa: F811
    await paging_wall(page, server, reduced=True)
    assert await page.get_attribute("#wall-pause", "aria-pressed") == "true"
    await page.clock.run_for(40_000)
    assert (await indicator(page)).startswith("1/")
    await page.click("#wall-next")
    assert (await indicator(page)).startswith("2/")


async def test_the_lobby_screen_shows_what_to_type_beside_each_qr_code(page, server, client, world):  # noqa: F811
    await screen_at(page, server.app, client, world, "10:00")
    site = page.locator(".qr-code.site")
    assert (await site.locator(".qr-text").text_content()).endswith("/sites/bourg-leveque")
    alt = await site.locator("img").get_attribute("alt")
    assert alt.startswith("Code QR vers ") and alt.endswith("/sites/bourg-leveque")
    assert alt != await site.locator("figcaption").text_content()


async def test_french_content_on_english_pages_and_arabic_notes_are_marked(browser, base_url, server, world):  # noqa: F811
    """RGAA 8.7 / WCAG 3.1.2: what was typed in French says so on an English page; a note in Arabic
    reads right to left wherever it shows (wall, phone, minutes)."""
    arabic = "نريد ورشة للحاسوب في المساء"
    board_id = world.ids["board"]
    await server.app[DB].write(lambda tx: store.post_note_tx(tx, board_id, text=arabic, source="tablet", trusted=True))
    ctx = await browser.new_context(base_url=base_url, locale="en-GB")
    page = await ctx.new_page()
    await page.goto(f"/j/{world.ids['code']}")
    assert await page.get_attribute("html", "lang") == "en"
    assert await page.get_attribute("h1", "lang") == "fr"
    assert await page.get_attribute("#board-notes", "lang") == "fr"
    note = page.locator("#board-notes .note-text", has_text=arabic)
    assert await note.evaluate("e => getComputedStyle(e).direction") == "rtl"
    await page.goto(f"/forum/boards/{board_id}/wall")
    assert await page.get_attribute("#wall-prompt", "lang") == "fr"
    note = page.locator(".wall-note .note-text", has_text=arabic)
    assert await note.evaluate("e => getComputedStyle(e).direction") == "rtl"
    row = await server.app[DB].fetchone(
        "SELECT board_id, max(version) AS version FROM forum_minutes WHERE state = 'published' GROUP BY board_id"
    )
    await page.goto(f"/minutes/{row['board_id']}/v/{row['version']}/print")
    assert await page.get_attribute("html", "lang") == "fr"  # the minutes are a French document
    assert await page.get_attribute("footer", "lang") == "en"
    assert await page.locator(".minutes-body p[dir=auto]").count() > 0
    await ctx.close()


async def test_the_join_code_field_is_marked_invalid_after_a_wrong_code(page, server):  # noqa: F811
    response = await page.goto("/j?code=ZZZZZ")
    assert response.status == 404
    code = page.locator("#code")
    assert await code.get_attribute("aria-invalid") == "true"
    assert await code.get_attribute("aria-describedby") == "code-error"
    assert await page.evaluate("document.activeElement.id") == "code"


@pytest.mark.parametrize("url", ["/programme", "/staff/feedback"])
async def test_the_week_and_the_feedback_results_reflow_at_320_px(context, server, url):  # noqa: F811
    page = await context.new_page()
    await page.goto("/login")
    await page.fill("#name", "demo")
    await page.fill("#password", PASSWORD)
    await page.click("main button[type=submit]")
    await page.wait_for_load_state()
    await page.set_viewport_size(NARROW)
    response = await page.goto(url)
    assert response.status == 200
    overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{url} scrolls {overflow}px sideways at 320 CSS px"


@pytest.mark.parametrize("kind", ["tablet", "phone", "wall"])
async def test_the_tablet_phone_and_wall_pages_have_their_own_titles(page, server, world, kind):  # noqa: F811
    url = {
        "tablet": f"/forum/boards/{world.ids['board']}/tablet",
        "phone": f"/j/{world.ids['code']}",
        "wall": f"/forum/boards/{world.ids['board']}/wall",
    }[kind]
    await page.goto(url)
    prefix = {"tablet": "Tablette · ", "phone": "Écrire une note · ", "wall": "Mur · "}[kind]
    assert (await page.title()).startswith(prefix)
