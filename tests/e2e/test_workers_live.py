"""What a forum day sees with `quartier serve --workers 2`: a note posted on the tablet appears on
every projected wall, whichever worker serves the tablet and whichever serves each wall."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.test_crash_resilience import create_board
from tests.test_server_process import Server, organizer_site
from tests.test_workers import ACCESS_LINE

# Six walls on a `serve --workers 2` over the SQLite file that `quartier init` makes.
pytestmark = pytest.mark.sqlite_only

WALLS = 6


async def test_a_note_from_the_tablet_reaches_every_wall_on_both_workers(browser, tmp_path):
    auth = organizer_site(tmp_path)
    server = Server(tmp_path, workers=2)
    with open(tmp_path / "server.log", "w") as log:
        await asyncio.get_running_loop().run_in_executor(None, lambda: server.start(log=log))
        try:
            board = await create_board(server, auth)
            walls = []
            for _ in range(WALLS):  # a browser each: its own connections, spread over both workers
                context = await browser.new_context(locale="fr-FR")
                page = await context.new_page()
                await page.goto(server.url(f"/forum/boards/{board}/wall"))
                walls.append((context, page))
            await asyncio.sleep(0.5)  # the walls' sockets are open
            tablet_context = await browser.new_context(locale="fr-FR")
            tablet = await tablet_context.new_page()
            for text in ("Un atelier vélo le samedi", "Des permanences CAF en soirée"):
                await tablet.goto(server.url(f"/forum/boards/{board}/tablet"))
                await tablet.get_by_role("textbox").first.fill(text)
                await tablet.locator("form button[type=submit]").first.click()
                for _context, page in walls:
                    await page.get_by_text(text).wait_for(timeout=5000)  # live, no reload
            for context, _page in [*walls, (tablet_context, tablet)]:
                await context.close()
            deadline = time.monotonic() + 10
            while (tmp_path / "server.log").read_text().count('"GET /ws"') < WALLS and time.monotonic() < deadline:
                await asyncio.sleep(0.1)  # a socket's line is logged when it closes
        finally:
            server.kill()
    lines = ACCESS_LINE.findall((tmp_path / "server.log").read_text())
    walls_on = {pid for pid, method, path, status in lines if path == "/ws"}
    posted_on = {pid for pid, method, path, status in lines if method == "POST" and status == "201"}
    assert len(walls_on) == 2, "every wall was on one worker: nothing crossed between processes"
    assert posted_on <= walls_on  # each note reached walls held by the worker that did not take it
