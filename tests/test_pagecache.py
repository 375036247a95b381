"""Cached public pages (issue 11): served again until the bus says their data changed."""

from __future__ import annotations

import asyncio

from aiohttp import web

from forum import store
from quartier.db import Change
from quartier.pagecache import PageCache, cached_page
from quartier.typedefs import DB, PAGE_CACHE
from tests.forum.conftest import make_board


async def test_the_wall_is_rendered_once_then_served_until_a_note_is_published(server, client, make_client):
    board = await make_board(server.app, "post")
    cache = server.app[PAGE_CACHE]
    url = f"/forum/boards/{board['id']}/wall"
    first = await (await client.get(url)).text()
    other = await make_client()  # another resident's browser gets the same page
    assert await (await other.get(url)).text() == first
    assert (cache.misses, cache.hits) == (1, 1)
    await server.app[DB].write(
        lambda tx: store.post_note_tx(tx, board["id"], text="Un banc devant le centre", source="phone")
    )
    assert "Un banc devant le centre" in await (await client.get(url)).text()
    assert cache.misses == 2


async def test_a_change_on_another_channel_keeps_the_page(server, client):
    board, other = await make_board(server.app, "post"), await make_board(server.app, "post")
    url = f"/forum/boards/{board['id']}/wall"
    await client.get(url)
    await server.app[DB].write(lambda tx: store.post_note_tx(tx, other["id"], text="ailleurs", source="phone"))
    await client.get(url)
    assert server.app[PAGE_CACHE].hits == 1


async def test_staff_pages_and_other_languages_are_not_mixed_up(server, client, organizer):
    board = await make_board(server.app, "post")
    url = f"/forum/boards/{board['id']}/wall"
    french = await (await client.get(url)).text()
    english = await (await client.get(url, headers={"Accept-Language": "en"})).text()
    assert 'lang="en"' in english and 'lang="fr"' in french
    assert server.app[PAGE_CACHE].hits == 0
    await client.get("/")
    staff = await (await organizer.get("/")).text()  # the logout form holds the staff session's CSRF token
    assert "csrf_token" in staff and "csrf_token" not in await (await client.get("/")).text()
    assert server.app[PAGE_CACHE].hits == 1  # the staff page is never served from nor put in the cache


async def test_a_page_rendered_while_its_channel_changed_is_not_kept():
    cache = PageCache()
    release = asyncio.Event()
    renders = 0

    @cached_page(lambda r: {"board:1"})
    async def page(request: web.Request) -> web.Response:
        nonlocal renders
        renders += 1
        await release.wait()
        return web.Response(text=f"render {renders}")

    app = web.Application()
    app[PAGE_CACHE] = cache
    from aiohttp.test_utils import make_mocked_request

    request = make_mocked_request("GET", "/wall", app=app)
    rendering = asyncio.create_task(page(request))
    waiting = asyncio.create_task(page(make_mocked_request("GET", "/wall", app=app)))
    await asyncio.sleep(0)
    cache.invalidate([Change.build(7, "board:1", "note.published", "{}")])
    release.set()
    first, second = await rendering, await waiting
    assert first.text == second.text == "render 1"  # concurrent misses render once
    assert (await page(make_mocked_request("GET", "/wall", app=app))).text == "render 2"  # but it was not kept
