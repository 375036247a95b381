"""In a real browser: the tablet posts, the wall follows live, the facilitator moderates."""

from forum import queries, store
from quartier.typedefs import DB, SETTINGS

from .conftest import wait_until


async def make_board(app, moderation):
    created = await app[DB].write(
        lambda tx: store.create_board_tx(
            tx, title="Temps fort", prompt="Vos besoins ?", moderation=moderation, site="maurepas"
        )
    )
    board = await app[DB].read(lambda d: queries.board(d, created["id"]))
    return board, store.facilitator_key(app[SETTINGS].secret_key, board["id"], board["link_salt"])


def on_wall(text):
    return f"Array.from(document.querySelectorAll('.wall-note .note-text')).some(e => e.textContent === {text!r})"


async def post_from_tablet(tablet, board_id, text):
    await tablet.goto(f"/forum/boards/{board_id}/tablet")
    await tablet.click("text=Mes droits")
    await tablet.fill("#note-text", text)
    assert await tablet.text_content("#note-counter") == f"{len(text)} caractères sur 280"
    await tablet.fill("#note-author", "Awa")
    await tablet.click("button.send")
    await wait_until(tablet, "document.getElementById('note-sent').dataset.state === 'sent'")
    # The form is ready for the next person, without a reload.
    assert await tablet.input_value("#note-text") == "" and await tablet.input_value("#note-author") == ""
    message = await tablet.text_content(".note-sent-message")
    await tablet.click(".note-sent-close")
    return message


async def test_a_note_from_the_tablet_appears_on_the_open_wall_without_reload(page, context, server):
    board, _key = await make_board(server.app, "post")
    await page.goto(f"/forum/boards/{board['id']}/wall")
    await wait_until(page, "document.body.dataset.live === 'open'")
    await page.evaluate("window.__sameWall = true")
    tablet = await context.new_page()
    text = "Un atelier <b>smartphone</b> le samedi"
    message = await post_from_tablet(tablet, board["id"], text)
    assert message == "Merci ! Votre note est sur le mur."
    await wait_until(page, on_wall(text), timeout=3)
    assert await page.evaluate("window.__sameWall === true")  # no reload
    column = await page.evaluate(
        f"Array.from(document.querySelectorAll('.wall-note')).find(e => e.querySelector('.note-text').textContent === {text!r})"
        ".closest('.wall-column').dataset.theme"
    )
    assert column == "droits"
    assert await page.evaluate("document.querySelectorAll('.wall-note b').length") == 0
    assert await page.evaluate("document.querySelector('.wall-note.is-new') !== null")


async def test_in_pre_moderation_the_wall_waits_for_the_facilitator_and_hiding_removes(page, context, server):
    board, key = await make_board(server.app, "pre")
    await page.goto(f"/forum/boards/{board['id']}/wall")
    await wait_until(page, "document.body.dataset.live === 'open'")
    tablet = await context.new_page()
    text = "Des permanences CAF le soir"
    assert await post_from_tablet(tablet, board["id"], text) == "Merci ! Votre note sera sur le mur après relecture."

    console = await context.new_page()
    await console.goto(f"/forum/boards/{board['id']}/console?key={key}")
    await wait_until(console, "document.body.dataset.live === 'open'")
    assert await console.is_visible(f"text={text}")
    await page.wait_for_timeout(300)
    assert not await page.evaluate(on_wall(text))

    await console.click("#console-live button:has-text('Publier')")
    await console.wait_for_load_state()
    await wait_until(page, on_wall(text), timeout=2)

    # A second note arrives while the console is open: the queue updates by itself.
    await post_from_tablet(tablet, board["id"], "Une deuxième idée")
    await wait_until(console, "document.getElementById('pending-count').textContent === '(1)'", timeout=3)

    await console.click(f"#console-live li:has-text('{text}') button:has-text('Masquer du mur')")
    await wait_until(page, f"!({on_wall(text)})", timeout=2)
    assert not await page.evaluate(on_wall("Une deuxième idée"))


async def test_the_wall_never_overflows_the_screen(page, server):
    board, _key = await make_board(server.app, "post")

    def fill(tx):
        for i in range(60):
            store.post_note_tx(
                tx,
                board["id"],
                text=f"Idée numéro {i} : " + "un besoin assez long pour prendre de la place " * 2,
                theme="droits" if i % 2 else "autre",
                source="tablet",
            )

    await server.app[DB].write(fill)
    await page.set_viewport_size({"width": 1280, "height": 720})
    await page.goto(f"/forum/boards/{board['id']}/wall")
    await wait_until(page, "document.body.dataset.fit === 'pages'")
    fits = """Array.from(document.querySelectorAll('.wall-note')).filter(e => e.offsetParent !== null)
        .every(e => e.getBoundingClientRect().bottom <= window.innerHeight + 1)
        && document.documentElement.scrollHeight <= window.innerHeight + 1"""
    assert await page.evaluate(fits)
    indicator = await page.text_content(".wall-column[data-theme='droits'] .page-indicator")
    assert indicator.startswith("1/")
    assert await page.is_visible(".wall-code") and await page.is_visible(".wall-join .qr")
