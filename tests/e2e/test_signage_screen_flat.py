"""A lobby screen stays the same size across hundreds of updates (issue 25, part 4).

A Pi Zero 2 W holds the agent and Chromium in 512 MB for weeks: the screen page must not grow a
node, a timer or a listener per update, nor lay the page out once per item it drops.
"""

import datetime as dt
from urllib.parse import quote

import pytest

from bench.screen_stack import PAGE_FIGURES_JS, TIMERS_JS
from quartier.typedefs import SETTINGS
from tests.signage.helpers import add_session, add_site, pair

from .conftest import wait_until

CHANGES = 200


async def metrics_after_gc(cdp) -> dict:
    """The renderer's counters once garbage collection has nothing more to free: one collection may
    leave detached nodes for the next (Blink's and V8's heaps are collected in steps), and a loaded
    machine counted 280 such nodes once. A leak survives every collection."""
    metrics: dict = {}
    for _attempt in range(6):
        await cdp.send("HeapProfiler.collectGarbage")
        now = {m["name"]: m["value"] for m in (await cdp.send("Performance.getMetrics"))["metrics"]}
        if metrics and now["Nodes"] >= metrics["Nodes"]:
            return now
        metrics = now
    return metrics


async def figures(page, cdp) -> dict:
    metrics = await metrics_after_gc(cdp)
    counts = await page.evaluate(PAGE_FIGURES_JS)
    return {
        "nodes": int(metrics["Nodes"]),
        "listeners": int(metrics["JSEventListeners"]),
        "layouts": int(metrics["LayoutCount"]),
        "heap": metrics["JSHeapUsedSize"],
        **counts,
    }


@pytest.mark.parametrize("width,height,orientation", [(1920, 1080, "landscape"), (1080, 1920, "portrait")])
async def test_two_hundred_pushed_changes_leave_the_nodes_timers_and_layouts_flat(
    page, server, client, bearer, width, height, orientation
):
    app = server.app
    tz = app[SETTINGS].tz
    day = dt.datetime.now(app[SETTINGS].tz).date()
    await add_site(app, opening_hours="Mo-Su 00:00-24:00")
    await add_site(app, slug="cleunay", name="ESC Cleunay")
    start = dt.datetime.combine(day, dt.time(9, 0), tz)  # the page's clock: any time of day the test runs
    for n in range(16):  # more than the lists hold, so every update drops items that do not fit
        begin, end = ((start + dt.timedelta(minutes=15 * n + m)).strftime("%H:%M") for m in (0, 45))
        await add_session(app, date=day.isoformat(), title=f"Atelier {n + 1}", start=begin, end=end, room="Salle 1")
        await add_session(app, site="cleunay", date=day.isoformat(), title=f"Ailleurs {n + 1}", start=begin, end=end)
    for n in range(1, 7):
        await add_session(app, date=(day + dt.timedelta(days=n)).isoformat(), title=f"Jour {n}", start="10:00")
    r = await client.post(
        "/api/v1/boards", headers=bearer, json={"title": "Le mur", "moderation": "post", "site": "maurepas"}
    )
    board = (await r.json())["id"]
    for n in range(8):  # (a device may post 10 a minute)
        await client.post(f"/api/v1/boards/{board}/notes", json={"text": f"Idée {n} : " + "des bancs " * n})
    screen = await pair(client, bearer, orientation=orientation)

    await page.context.add_init_script(TIMERS_JS)
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Performance.enable")
    await page.set_viewport_size({"width": width, "height": height})
    await page.goto(f"/screens/{screen['id']}?token={screen['token']}&now={quote(start.isoformat())}")
    await wait_until(page, "document.body.dataset.state === 'ready' && document.body.dataset.live === 'open'")

    async def change(n: int, announcement: int | None) -> int | None:
        """One pushed change (an announcement added, or removed again) and the clock 30 s on, looping
        over ten minutes: after every 20 changes the screen is back where it began."""
        version = await page.evaluate("document.body.dataset.version")
        if announcement is None:
            body = {"title": f"Annonce {n}", "body": "texte " * (n % 50), "target": "all", "urgent": n % 6 == 0}
            r = await client.post("/api/v1/announcements", headers=bearer, json=body)
            announcement = (await r.json())["id"]
        else:
            r = await client.delete(f"/api/v1/announcements/{announcement}", headers=bearer)
            announcement = None
        assert r.status < 300, await r.text()
        await wait_until(page, f"document.body.dataset.version !== '{version}'")
        shown = "#urgent .urgent-title" if n % 6 == 0 else f"#announcement [data-announcement='{announcement}']"
        if announcement is not None:  # the update is on screen, not merely fetched
            await wait_until(page, f"document.querySelector({shown!r}) !== null")
        clock = start + dt.timedelta(seconds=30 * ((n + 1) % 20))
        await page.evaluate("iso => quartierScreen.setNow(iso)", clock.isoformat())
        return announcement

    announcement = None
    for n in range(20):  # warm up: every kind of state shown once
        announcement = await change(n, announcement)
    before = await figures(page, cdp)
    timers = []
    for n in range(20, 20 + CHANGES):
        announcement = await change(n, announcement)
        timers.append(await page.evaluate("window.__quartierTimers().timeouts + window.__quartierTimers().intervals"))
    after = await figures(page, cdp)

    assert before["elements"] > 60  # the page did show a busy day
    assert after["elements"] == before["elements"], (before, after)  # the same screen, the same DOM
    assert after["nodes"] <= before["nodes"] + 10, (before, after)  # no detached nodes kept alive either
    assert after["listeners"] <= before["listeners"], (before, after)
    assert after["intervals"] == before["intervals"] == 3, after  # tick, poll, heartbeat: made once
    assert after["timeouts"] <= before["timeouts"] + 1 and max(timers) <= before["timeouts"] + 4, (before, timers)
    assert after["heap"] < before["heap"] + 2 * 1024 * 1024, (before, after)
    # No layout thrash: a page laid out once or twice per update, not once per item it drops.
    assert (after["layouts"] - before["layouts"]) / CHANGES <= 4, (before, after)
