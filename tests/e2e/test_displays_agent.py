"""The Pi agent's local page in real Chromium: it shows the day, follows changes, and keeps it all
with the server stopped."""

from __future__ import annotations

import asyncio

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.displays.helpers import LocalAgent, free_port
from tests.e2e.test_signage_screen import at
from tests.signage.helpers import add_session, add_site, today

from .conftest import wait_until


async def test_the_agents_page_shows_the_day_and_keeps_it_with_the_server_stopped(
    page, server, client, bearer, tmp_path
):
    app = server.app
    day = today(app)
    await add_site(app, opening_hours="Mo-Su 00:00-24:00")
    await add_session(app, date=day.isoformat(), title="Permanence CAF", start="09:00", end="12:00")
    atelier = await add_session(
        app,
        date=day.isoformat(),
        title="Atelier smartphone",
        kind="atelier",
        axis="accompagnement",
        start="14:00",
        end="16:00",
    )
    agent = await LocalAgent(f"http://127.0.0.1:{server.port}", tmp_path / "agent").start()
    try:
        status = await agent.wait_for(lambda s: s["pairing_code"])
        # Before pairing, Chromium shows the code in large type.
        await page.goto(agent.url + "/")
        assert (await page.text_content("#code")).replace(" ", "") == status["pairing_code"]
        r = await client.post(
            "/api/v1/displays/claim",
            headers=bearer,
            json={"code": status["pairing_code"], "site": "maurepas", "name": "Hall"},
        )
        assert r.status == 201
        await agent.wait_for(lambda s: s["connected"] and s["version"] is not None)
        # The pairing page reloads itself (every 3 s) and becomes the screen.
        await page.wait_for_selector("body.screen[data-state=ready]", timeout=8000)
        await page.goto(agent.url + f"/?now={at(day, '08:00')}")
        await wait_until(page, "document.body.dataset.state === 'ready' && document.body.dataset.live === 'open'")
        assert "Permanence CAF" in await page.text_content("#next")
        assert "Atelier smartphone" in await page.text_content("#today")
        # A cancellation on the server reaches the local page through the agent, with no reload.
        r = await client.post(
            f"/api/v1/sessions/{atelier}/cancellations",
            headers=bearer,
            json={"date": day.isoformat(), "reason": "Formatrice malade"},
        )
        assert r.status in (200, 201)
        await wait_until(page, "document.querySelector('#today .status-cancelled') !== null", timeout=3)
        assert await page.is_hidden("#status")  # in sync: no "mis à jour à"
        # The page's heartbeat reaches the agent (its browser watchdog listens to it).
        await page.evaluate("fetch('/heartbeat', {method: 'POST', body: '{}'})")
        assert (await agent.status())["browser_heartbeat_age"] is not None
        # The server stops: the page keeps the day and moves on with the clock.
        await server.close()
        await agent.wait_for(lambda s: not s["connected"])
        await page.evaluate("quartierScreen.refresh()")
        await asyncio.sleep(0.3)
        await page.evaluate(f"quartierScreen.setNow('{at(day, '09:05')}')")
        assert "Permanence CAF" in await page.text_content("#now")
        assert "Atelier smartphone" in await page.text_content("#next")
        assert "Formatrice malade" in await page.text_content("#next")
        # Some minutes later the page says discreetly when it was last up to date (the agent's sync time).
        await page.evaluate("quartierScreen.setNow(new Date(quartierScreen.now() + 10 * 60000).toISOString())")
        assert (await page.text_content("#status")).startswith("mis à jour à")
        assert await page.text_content("#site-name") == "ESC Maurepas"
        # A reload (a restarted browser) still shows the day, from the agent alone.
        await page.reload()
        await wait_until(page, "document.body.dataset.state === 'ready'")
        assert await page.text_content("#site-name") == "ESC Maurepas"
    finally:
        await agent.stop()


async def test_another_page_on_the_pi_can_neither_fake_the_heartbeat_nor_run_script_in_the_agents_page(
    browser, tmp_path
):
    """What Chromium itself does with a page of another service on the Pi (another port of 127.0.0.1,
    no CSP of its own): its requests to the agent are refused, and the agent's page runs no script
    and loads nothing that is not the agent's."""
    hits: list[str] = []

    async def stranger_page(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(text="<!doctype html><title>Autre service</title><p>autre</p>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/{tail:.*}", stranger_page)
    stranger = TestServer(app, host="127.0.0.1")
    await stranger.start_server()
    agent = await LocalAgent(f"http://127.0.0.1:{free_port()}", tmp_path / "agent").start()
    context = await browser.new_context(locale="fr-FR")
    try:
        page = await context.new_page()
        await page.goto(f"http://127.0.0.1:{stranger.port}/")
        await page.evaluate(
            """(agent) => fetch(agent + "/heartbeat", {method: "POST", mode: "no-cors", body: '{"uptime": 1}'})
                .catch(() => null)""",
            agent.url,
        )
        assert (await agent.status())["browser_heartbeat_age"] is None  # the watchdog was not fooled
        socket = await page.evaluate(
            """(agent) => new Promise((done) => {
                const ws = new WebSocket(agent.replace("http", "ws") + "/events");
                ws.onopen = () => done("open");
                ws.onerror = () => done("refused");
            })""",
            agent.url,
        )
        assert socket == "refused"
        await page.goto(agent.url + "/pair")
        seen = await page.evaluate(
            """async (stranger) => {
                const blocked = [];
                let seen = null;
                const all = new Promise((r) => { seen = r; setTimeout(r, 2000); });
                document.addEventListener("securitypolicyviolation", (e) => {
                    blocked.push(e.violatedDirective);
                    if (blocked.length === 3) { seen(); }
                });
                const inline = document.createElement("script");
                inline.textContent = "window.ran = true";
                document.head.append(inline);
                const foreign = document.createElement("script");
                foreign.src = stranger + "/tracker.js";
                document.head.append(foreign);
                const img = document.createElement("img");
                img.src = stranger + "/pixel.png";
                document.body.append(img);
                await all;  // at once, well before the pairing page's own 3 s refresh
                return {ran: window.ran === true, blocked: blocked.sort()};
            }""",
            f"http://127.0.0.1:{stranger.port}",
        )
        assert seen == {"ran": False, "blocked": ["img-src", "script-src-elem", "script-src-elem"]}
        assert not {"/tracker.js", "/pixel.png"} & set(hits)  # the agent's page fetched nothing of it
    finally:
        await context.close()
        await agent.stop()
        await stranger.close()
