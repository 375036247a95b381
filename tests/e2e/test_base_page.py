"""What every visitor gets from the core: French by default, keyboard access, live updates."""

import pytest
from aiohttp import web

from quartier.app import create_app
from quartier.routing import PUBLIC, Routes
from quartier.typedefs import DB
from quartier.ws import close_all

from .conftest import assert_accessible, assert_no_horizontal_scroll, wait_until

LIVE_PAGE = """<!doctype html><html lang="fr"><head><title>live</title><link rel="icon" href="data:,"></head>
<body data-live-channels="board:1" data-live-since="0"><main id="contenu">live</main>
<script src="/static/quartier/live.js"></script></body></html>"""


@pytest.fixture
def app(settings):
    app = create_app(settings)
    routes = Routes()

    @routes.get("/test/live", name="test_live", access=PUBLIC)
    async def live_page(request):
        return web.Response(text=LIVE_PAGE, content_type="text/html")

    routes.add_to(app)
    return app


async def test_home_in_french_with_a_working_skip_link_and_language_switch(page):
    await page.goto("/")
    assert await page.get_attribute("html", "lang") == "fr"
    await page.keyboard.press("Tab")
    focused = await page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Aller au contenu"
    await page.keyboard.press("Enter")
    assert await page.evaluate("location.hash") == "#contenu"
    await page.click("text=English")
    assert await page.get_attribute("html", "lang") == "en"
    assert await page.is_visible("text=Welcome to Quartier")


async def test_login_flow_in_a_browser(page, server):
    from tests.conftest import PASSWORD, create_user

    await create_user(server.app, "anim", "facilitator")
    await page.goto("/staff")
    assert "/login" in page.url
    await page.fill("#name", "anim")
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url("**/staff")
    assert await page.is_visible("h1:has-text('Espace équipe')")


async def test_live_js_follows_the_bus_and_resumes_after_a_disconnect(page, server):
    app = server.app
    await page.goto("/test/live")
    await wait_until(page, "document.body.dataset.live === 'open'")
    seq = await app[DB].write(lambda tx: tx.change("board:1", "note.posted", {"text": "bonjour"}))
    await wait_until(page, f"document.body.dataset.liveSeq === '{seq}'", timeout=2)
    # The server drops every socket; a change made meanwhile still arrives, once.
    await close_all(app)
    missed = await app[DB].write(lambda tx: tx.change("board:1", "note.posted", {"text": "pendant"}))
    await wait_until(page, f"document.body.dataset.liveSeq === '{missed}'", timeout=8)


@pytest.mark.parametrize("path", ["/", "/login", "/page-qui-n-existe-pas"])
async def test_core_pages_are_accessible_and_fit_at_200_percent(page, path):
    await page.goto(path)
    await assert_accessible(page)
    await assert_no_horizontal_scroll(page)
