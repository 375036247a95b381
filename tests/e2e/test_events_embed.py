"""Issue 17: a partner's page on another origin shows the programme widget in an iframe, in real
Chromium; the widget leaves no cookie, and the rest of the site still refuses to be framed."""

from __future__ import annotations

import asyncio
import datetime as dt

from aiohttp import web
from aiohttp.test_utils import TestServer

from quartier.typedefs import SETTINGS
from tests.events.helpers import add_session, add_site

from .conftest import wait_until


async def test_a_partner_page_frames_the_widget_and_nothing_else(context, server):
    app = server.app
    today = dt.datetime.now(app[SETTINGS].tz).date()
    await add_site(app)
    await add_session(app, date=today.isoformat(), repeat={"every": "weekly"})
    ours = f"http://127.0.0.1:{server.port}"

    async def partner_page(request: web.Request) -> web.Response:
        body = (
            "<!doctype html><html lang='fr'><head><meta charset='utf-8'><title>Partenaire</title></head><body>"
            f"<iframe id='widget' title='Programme' src='{ours}/embed/programme?site=maurepas'></iframe>"
            f"<iframe id='other' title='Autre' src='{ours}/programme'></iframe></body></html>"
        )
        return web.Response(text=body, content_type="text/html")

    partner = web.Application()
    partner.router.add_get("/", partner_page)
    partner_server = TestServer(partner, host="localhost")
    await partner_server.start_server()
    page = await context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    try:
        await page.goto(f"http://localhost:{partner_server.port}/")
        await wait_until(page, "document.getElementById('widget').contentWindow !== null")
        widget = page.frame(url=lambda u: "/embed/programme" in u)
        assert widget is not None
        await widget.wait_for_selector("text=Permanence CAF")
        link = widget.locator("a", has_text="Permanence CAF").first
        assert await link.get_attribute("target") == "_blank"
        # The programme page itself was refused by its frame-ancestors 'none'.
        for _ in range(100):
            refused = [m for m in console if "frame-ancestors 'none'" in m]
            if refused:
                break
            await asyncio.sleep(0.05)
        assert len(refused) == 1 and "/embed/" not in refused[0], console
        assert [c for c in await context.cookies() if c["domain"] == "127.0.0.1"] == []
    finally:
        await partner_server.close()
