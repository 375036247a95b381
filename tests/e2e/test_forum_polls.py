"""Issue 22 in real Chromium: a pictogram poll answered on a phone, hidden on the wall until revealed."""

from forum import queries, store
from quartier.typedefs import DB, SETTINGS

from .conftest import assert_accessible, wait_until


async def test_a_poll_stays_hidden_on_the_wall_until_the_facilitator_reveals_it(page, context, server):
    created = await server.app[DB].write(
        lambda tx: store.create_board_tx(
            tx, title="Temps fort", prompt="Vos besoins ?", moderation="post", site="maurepas"
        )
    )
    board = await server.app[DB].read(lambda d: queries.board(d, created["id"]))
    key = store.facilitator_key(server.app[SETTINGS].secret_key, board["id"], board["link_salt"])

    console = await context.new_page()
    await console.goto(f"/forum/boards/{board['id']}/polls?key={key}")
    await assert_accessible(console)
    await console.fill("#question", "Un atelier le samedi matin ?")
    await console.click("text=Poser la question")
    await console.wait_for_load_state()

    await page.goto(f"/forum/boards/{board['id']}/wall")
    await wait_until(page, "document.body.dataset.live === 'open' && document.body.classList.contains('polling')")
    assert await page.text_content("#poll-question") == "Un atelier le samedi matin ?"

    phone = await context.new_page()
    await phone.goto(f"/j/{board['code']}")
    await phone.click("#poll-link")
    await assert_accessible(phone)
    await phone.click(".poll-choices button:has-text('Oui')")
    await phone.wait_for_load_state()
    assert await phone.is_visible("text=Merci, votre réponse est enregistrée.")
    assert await phone.get_attribute(".poll-choices button:has-text('Oui')", "aria-pressed") == "true"

    await wait_until(page, "document.getElementById('poll-answers').textContent === '1 réponse'", timeout=2)
    hidden = await page.evaluate("Array.from(document.querySelectorAll('.poll-count')).map(e => e.textContent)")
    assert hidden == ["", "", ""]  # no counts before the reveal
    assert await page.is_visible("#poll-hidden")
    await assert_accessible(page)

    await console.reload()
    await console.click("text=Montrer les résultats")
    await wait_until(page, "document.getElementById('poll').dataset.revealed === 'true'", timeout=2)
    shown = await page.evaluate("Array.from(document.querySelectorAll('.poll-count')).map(e => e.textContent)")
    assert shown == ["1", "0", "0"]
    assert not await page.is_visible("#poll-hidden")
    # The phone hears it too, without a reload.
    await wait_until(phone, "document.getElementById('poll').dataset.revealed === 'true'", timeout=2)
