"""Issue 22 in real Chromium: the wall's ranking shows every note whole, page by page when many."""

from forum import votes
from quartier.typedefs import DB

from .conftest import assert_accessible, wait_until
from .test_forum_voting import make_board_with_notes

LONG = "une idée assez longue pour prendre deux lignes sur le mur, avec des mots qui comptent vraiment"


async def test_the_ranking_pages_every_note_without_cutting_any(page, server):
    texts = [f"Idée {i} : {LONG}" for i in range(30)]
    board, ids = await make_board_with_notes(server.app, texts)
    await server.app[DB].write(lambda tx: votes.open_round_tx(tx, board["id"], title="Priorités", budget=3))

    def cast(tx):
        for voter in range(6):
            votes.cast_tx(tx, ids[0], device=f"d{voter}")
            votes.cast_tx(tx, ids[1], device=f"d{voter}")

    await server.app[DB].write(cast)
    await page.set_viewport_size({"width": 1280, "height": 720})
    await page.goto(f"/forum/boards/{board['id']}/wall")
    await wait_until(
        page, "document.body.classList.contains('voting') && document.getElementById('ranking-list').dataset.pages"
    )
    pages = int(await page.evaluate("document.getElementById('ranking-list').dataset.pages"))
    assert pages > 1
    assert await page.text_content("#ranking-page") == f"1/{pages}"
    assert await page.evaluate("document.querySelectorAll('#ranking-list .rank').length") == 30  # none dropped
    # The top of the ranking comes first, whole: its full text, no ellipsis, inside the screen.
    first = await page.evaluate(
        "Array.from(document.querySelectorAll('#ranking-list .rank')).filter(e => e.offsetParent !== null)"
        ".map(e => [e.querySelector('.rank-text').textContent, e.getBoundingClientRect().bottom])"
    )
    assert first[0][0] == texts[0] and first[1][0] == texts[1]
    assert all(bottom <= 720 + 1 for _t, bottom in first)
    cut = await page.evaluate(
        "Array.from(document.querySelectorAll('.rank-text')).filter(e => e.offsetParent !== null)"
        ".some(e => e.scrollWidth > e.clientWidth + 1 || getComputedStyle(e).textOverflow === 'ellipsis')"
    )
    assert not cut
    await assert_accessible(page)


async def test_a_timed_round_counts_down_on_the_wall_and_the_phones(page, context, server):
    import re
    import time

    board, _ids = await make_board_with_notes(server.app, ["Du wifi", "Une imprimante"])
    await page.goto(f"/forum/boards/{board['id']}/wall")
    await wait_until(page, "document.body.dataset.live === 'open'")
    assert not await page.is_visible("#ranking-countdown")
    ends = time.time() + 125  # relative to now: the test holds at any hour
    await server.app[DB].write(lambda tx: votes.open_round_tx(tx, board["id"], title="Vite !", budget=1, ends=ends))
    await wait_until(page, "document.body.classList.contains('voting')", timeout=2)
    await wait_until(page, "/^2:0[0-5]$/.test(document.getElementById('ranking-countdown').textContent)", timeout=3)
    first = await page.text_content("#ranking-countdown")
    await page.wait_for_timeout(1200)
    assert await page.text_content("#ranking-countdown") != first  # it runs
    assert await page.is_visible("#ranking-countdown")
    phone = await context.new_page()
    await phone.goto(f"/j/{board['code']}/vote")
    clock = await phone.text_content(".countdown")
    assert re.fullmatch(r"2:0[0-5]", clock), clock
    await assert_accessible(phone)
