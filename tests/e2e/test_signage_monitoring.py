"""Staff pair a TV from its code and watch it come up, in words (issue 23)."""

from quartier import auth
from quartier.typedefs import DB
from tests.signage.helpers import add_site

from .conftest import assert_accessible, wait_until

PASSWORD = "correct horse battery staple"


async def test_pairing_from_a_tv_shows_paired_without_a_reload_and_its_health_in_words(page, context, server):
    await add_site(server.app, opening_hours="Mo-Su 00:00-24:00")
    await auth.add_user(server.app[DB], "orga", "organizer", PASSWORD)
    tv = await context.browser.new_page()  # another browser: the lobby's TV, without the staff cookie
    await tv.goto(f"http://127.0.0.1:{server.port}/screens/pair")
    code = await tv.get_attribute("#pair-code", "data-code")

    await page.goto("/login?next=/staff/screens")
    await page.fill("#name", "orga")
    await page.fill("#password", PASSWORD)
    await page.click("main button[type=submit]")
    await page.fill("#code", code)
    await page.fill("#name", "Hall")
    await page.click("form[action$='/claim'] button[type=submit]")
    # Claimed, the screen has not fetched its token yet: not "Non jumelé".
    state = page.locator("#pairing-state")
    assert "Code accepté" in await state.text_content()
    await wait_until(page, "document.body.dataset.live === 'open'")
    # The TV reloads every 3 s, gets its token and shows its screen; the staff page follows.
    await wait_until(page, "document.getElementById('pairing-state').textContent.includes('Jumelé')", timeout=10)
    await tv.wait_for_url("**/screens/*", timeout=8000)
    await wait_until(tv, "document.body.dataset.state === 'ready'")
    await page.reload()
    health = await page.text_content(".health")
    assert "navigateur seul (sans agent Raspberry Pi)" in health  # not the raw "browser"
    assert "démarré à l'instant" in health and "0.0 h" not in health  # its page has just loaded
    assert "il y a" in await page.text_content("#screens-state dd")  # last contact: "il y a 1 seconde (…)"
    await assert_accessible(page)
    await tv.close()
