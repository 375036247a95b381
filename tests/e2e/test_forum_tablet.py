"""The shared tablet: the next person never finds the previous one's note, name, theme or language;
"Merci" shows where the person looks; and no note is lost when the Wi-Fi drops (issue 23)."""

import json

from forum import queries, store, votes
from quartier.typedefs import DB, SETTINGS

from .conftest import assert_accessible, wait_until

TABLET = {"width": 800, "height": 1280}
LANDSCAPE_TABLET = {"width": 1280, "height": 800}


async def board(server, moderation: str = "post") -> int:
    created = await server.app[DB].write(
        lambda tx: store.create_board_tx(tx, title="Forum de Maurepas", prompt="Vos besoins ?", moderation=moderation)
    )
    return created["id"]


async def notes(server) -> list[str]:
    return [r["text"] for r in await server.app[DB].fetchall("SELECT text FROM forum_notes ORDER BY id")]


async def fill_in(page, text: str = "Mon numéro CAF 1234567 : aide pour la prime", name: str = "Aïcha") -> None:
    await page.click("label.theme-choice:has(input[value=droits])")
    await page.fill("#note-text", text)
    await page.fill("#note-author", name)


async def in_view(page, selector: str) -> bool:
    return await page.evaluate(
        f"(() => {{ const r = document.querySelector({selector!r}).getBoundingClientRect();"
        " return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight; })()"
    )


async def test_an_idle_tablet_counts_down_then_forgets_everything(page, server):
    id = await board(server)
    await page.clock.install()
    await page.set_viewport_size(LANDSCAPE_TABLET)
    await page.goto(f"/forum/boards/{id}/tablet")
    await fill_in(page)
    await page.evaluate("window.scrollTo(0, 300)")  # (a wheel event would arrive late, counted as a touch)
    assert await page.evaluate("scrollY") > 0
    await page.clock.run_for(59_000)
    assert await page.locator("#idle-banner").is_hidden()
    await page.clock.run_for(3_000)  # a minute without a touch: the countdown, in view
    assert await page.locator("#idle-banner").is_visible() and await in_view(page, "#idle-banner")
    assert "s" in await page.text_content("#idle-count")
    await page.click("#idle-continue")  # still there: nothing is lost
    assert await page.locator("#idle-banner").is_hidden()
    assert await page.input_value("#note-text") != ""
    await page.clock.run_for(61_000 + 15_000)
    assert await page.input_value("#note-text") == ""
    assert await page.input_value("#note-author") == ""
    assert await page.is_checked("input[name=theme][value=autre]")
    assert await page.evaluate("scrollY") == 0
    assert await page.locator("#idle-banner").is_hidden()
    # Nothing of theirs left: no countdown for an empty page.
    await page.clock.run_for(120_000)
    assert await page.locator("#idle-banner").is_hidden()
    assert await notes(server) == []  # the half-typed note was never sent


async def test_the_language_goes_back_to_french_for_the_next_person(page, server):
    id = await board(server)
    await page.clock.install()
    await page.goto(f"/forum/boards/{id}/tablet")
    await page.click(".languages a[lang=en]")
    await page.wait_for_load_state()
    assert await page.get_attribute("html", "lang") == "en"
    async with page.expect_navigation():
        await page.clock.run_for(60_000 + 16_000)  # nothing typed: the language alone is the previous person's
    await page.wait_for_load_state()
    assert await page.get_attribute("html", "lang") == "fr"
    assert page.url.endswith(f"/forum/boards/{id}/tablet")


async def test_merci_shows_where_the_person_looks_and_stays(page, server):
    id = await board(server)
    await page.clock.install()
    await page.set_viewport_size(LANDSCAPE_TABLET)  # the send button is below the fold
    await page.goto(f"/forum/boards/{id}/tablet")
    await fill_in(page)
    await page.click("button.send")
    await wait_until(page, "document.getElementById('note-sent').dataset.state === 'sent'")
    assert await in_view(page, "#note-sent")
    assert "Merci" in await page.text_content("#note-sent") and "Envoyée" in await page.text_content("#note-sent")
    await page.clock.run_for(20_000)  # not gone after 12 s
    assert await page.locator("#note-sent").is_visible()
    assert await page.input_value("#note-author") == ""  # the next person does not see the first name
    await assert_accessible(page)
    await page.click(".note-sent-close")
    assert await page.locator("#note-sent").is_hidden()
    assert await notes(server) == ["Mon numéro CAF 1234567 : aide pour la prime"]


async def test_a_note_written_while_the_wifi_is_down_waits_on_the_tablet_then_goes_once(page, context, server):
    id = await board(server)
    await page.set_viewport_size(TABLET)
    await page.goto(f"/forum/boards/{id}/tablet")
    await context.set_offline(True)
    await fill_in(page, "Plus d'ordinateurs le samedi")
    await page.click("button.send")
    await wait_until(page, "document.getElementById('note-sent').dataset.state === 'queued'")
    assert "En attente d’envoi" in await page.text_content("#note-sent")
    assert "1 note en attente d’envoi" in await page.text_content("#note-queue")
    stored = json.loads(await page.evaluate("localStorage.getItem('quartier-note-queue')"))
    assert [n["body"]["text"] for n in stored] == ["Plus d'ordinateurs le samedi"]
    # A second person writes while the network is still down: both wait, in order.
    await fill_in(page, "Un atelier pour les parents")
    await page.click("button.send")
    await wait_until(page, "document.body.dataset.queued === '2'")
    assert await notes(server) == []
    await context.set_offline(False)
    await wait_until(page, "document.body.dataset.queued === '0'", timeout=10)
    await wait_until(page, "document.getElementById('note-sent').dataset.state === 'sent'")
    assert await page.locator("#note-queue").is_hidden()
    assert await notes(server) == ["Plus d'ordinateurs le samedi", "Un atelier pour les parents"]


async def test_queued_notes_survive_a_reload(page, server):
    id = await board(server)
    await page.goto(f"/forum/boards/{id}/tablet")
    await page.route("**/api/v1/boards/*/notes", lambda route: route.abort("internetdisconnected"))
    await fill_in(page, "Une imprimante qui marche")
    await page.click("button.send")
    await wait_until(page, "document.body.dataset.queued === '1'")
    await page.unroute("**/api/v1/boards/*/notes")
    await page.reload()  # the tablet was restarted: the note is still on it, and goes
    await wait_until(page, "document.body.dataset.queued === '0'", timeout=10)
    assert await notes(server) == ["Une imprimante qui marche"]


async def test_a_note_whose_answer_is_lost_is_sent_again_and_recorded_once(page, server):
    id = await board(server)
    await page.goto(f"/forum/boards/{id}/tablet")
    lost = []

    async def lose_the_first_answer(route):
        if not lost:
            await route.fetch()  # the server receives the note and records it...
            lost.append(True)
            await route.abort("connectionreset")  # ...but the tablet never hears back
        else:
            await route.continue_()

    await page.route("**/api/v1/boards/*/notes", lose_the_first_answer)
    await fill_in(page, "Des cours de français le soir")
    await page.click("button.send")
    await wait_until(page, "document.body.dataset.queued === '0'", timeout=15)  # the retry, a few seconds later
    assert lost == [True]
    assert await notes(server) == ["Des cours de français le soir"]


async def test_the_voting_tablets_finish_button_is_big_and_always_in_view(page, server):
    def fill(tx):
        created = store.create_board_tx(tx, title="Temps fort", prompt="Vos besoins ?", moderation="post")
        for n in range(14):
            store.post_note_tx(tx, created["id"], text=f"Idée numéro {n} pour le quartier", source="tablet")
        votes.open_round_tx(tx, created["id"], title="Priorités", budget=3)
        return created

    created = await server.app[DB].write(fill)
    created = await server.app[DB].read(lambda d: queries.board(d, created["id"]))
    kiosk = store.kiosk_key(server.app[SETTINGS].secret_key, created["id"], created["link_salt"])
    await page.set_viewport_size(TABLET)
    await page.goto(f"/forum/boards/{created['id']}/vote/tablet?kiosk={kiosk}")
    await page.click("#new-voter")
    assert await page.evaluate("document.documentElement.scrollHeight > 2 * innerHeight")  # a long ballot
    for where in ("0", "document.documentElement.scrollHeight / 2", "document.documentElement.scrollHeight"):
        await page.evaluate(f"window.scrollTo(0, {where})")
        assert await in_view(page, "#finish"), where
    size = await page.evaluate(
        "(() => { const r = document.querySelector('#finish').getBoundingClientRect(); return [r.width, r.height]; })()"
    )
    assert size[0] >= TABLET["width"] * 0.8 and size[1] >= 64  # a big target, not a link in the text
    await page.click("#finish")
    # No dot was placed: the tablet says the turn ended, it does not thank a vote (issue 26).
    assert "Le tour est terminé sans gommette posée." in await page.text_content("main")
