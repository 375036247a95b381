"""Attendance on a phone and the annual report it feeds (issue 21), in real Chromium.

A facilitator records this morning's drop-in on a phone in a few taps, well under ten seconds; the
next day the annual report's "people reached" has grown by as many; no chart label or legend is
clipped and no table cell breaks a word ("aison des aînés", "Carrefo ur 18")."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

from quartier import auth
from quartier.typedefs import CLOCK, DB
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll
from tests.e2e.test_referral import log_in
from tests.events.helpers import add_session, add_site

PARIS = ZoneInfo("Europe/Paris")
WEDNESDAY = dt.datetime(2026, 12, 2, 11, 45, tzinfo=PARIS)
THURSDAY = dt.datetime(2026, 12, 3, 9, 0, tzinfo=PARIS)

# Every <text> of every chart inside its viewBox, and each row label left of where the bars start.
CLIPPED = """() => {
  const out = [];
  for (const svg of document.querySelectorAll("svg.chart")) {
    const box = svg.viewBox.baseVal;
    for (const t of svg.querySelectorAll("text")) {
      const b = t.getBBox();
      if (b.x < box.x - 0.5 || b.x + b.width > box.x + box.width + 0.5 || b.y < box.y - 0.5 || b.y + b.height > box.y + box.height + 0.5)
        out.push(svg.id + ": " + t.textContent);
      if (t.classList.contains("label") && b.x + b.width > 220) out.push("over the bars: " + t.textContent);
    }
  }
  return out;
}"""
# A word of a table cell drawn on two lines has two client rects.
BROKEN_WORDS = """() => {
  const out = [];
  for (const cell of document.querySelectorAll("main table th, main table td")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /\\S+/g; let m;
      while ((m = re.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        const rects = Array.from(range.getClientRects()).filter(r => r.width > 0);
        if (rects.length > 1) out.push(m[0]);
      }
    }
  }
  return out;
}"""


async def people(page) -> str:
    await page.goto("/staff/report?year=2026")
    return (await page.locator("#people-total").inner_text()).strip()


async def test_a_phone_counts_this_morning_and_the_report_follows(browser, server, base_url):
    app = server.app
    await add_site(app)
    await add_site(app, slug="maison-des-aines", name="Maison des aînés et des aidants")
    await add_site(app, slug="carrefour-18", name="Carrefour 18")
    drop_in = await add_session(app, title="Permanence numérique", date="2026-11-04", kind="permanence")
    await add_session(
        app,
        site="maison-des-aines",
        title="Tablette pas à pas",
        date="2026-11-05",
        kind="atelier",
        axis="accompagnement",
    )
    await add_session(
        app, site="carrefour-18", title="Accès libre", date="2026-11-06", kind="acces-libre", axis="acces-libre"
    )
    await auth.add_user(app[DB], "orga", "organizer", "correct horse battery staple")
    phone = await browser.new_context(
        base_url=base_url, locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = await phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    app[CLOCK].fixed = THURSDAY
    await log_in(page, "/staff/report")
    assert await people(page) == "0 personne accueillie"

    app[CLOCK].fixed = WEDNESDAY  # this morning, at the end of the drop-in
    await page.goto("/staff/attendance")
    started = time.monotonic()
    await page.get_by_role("link", name="Compter Permanence numérique du mer. 2 déc.").tap()
    for _ in range(6):
        await page.get_by_role("button", name="Une personne de plus").tap()
    await page.get_by_role("button", name="Une personne de moins").tap()
    await page.locator(".counter-save").tap()
    await page.wait_for_url("**/staff/attendance?date=2026-12-02#o-*")
    elapsed = time.monotonic() - started
    assert elapsed < 10, elapsed
    row = await app[DB].fetchone(
        "SELECT count FROM attendance WHERE session_id = ? AND date = '2026-12-02'", (drop_in,)
    )
    assert row["count"] == 5
    print(f"\nphone: 9 taps (Count, + ×6, −, Save), from the day's list to the count saved in {elapsed:.2f} s")

    app[CLOCK].fixed = THURSDAY
    assert await people(page) == "5 personnes accueillies"
    await phone.close()
    assert not errors, errors


async def test_the_report_s_charts_and_tables_are_not_clipped(page, server):
    app = server.app
    app[CLOCK].fixed = THURSDAY
    await add_site(app, slug="maison-des-aines", name="Maison des aînés et des aidants")
    await add_site(app, slug="carrefour-18", name="Carrefour 18")
    for site, kind, axis in (
        ("maison-des-aines", "atelier", "accompagnement"),
        ("carrefour-18", "permanence", "droits"),
    ):
        await add_session(app, site=site, title="Séance", date="2026-01-05", kind=kind, axis=axis)
    await auth.add_user(app[DB], "orga", "organizer", "correct horse battery staple")
    await log_in(page, "/staff/report")
    for width in (1280, 390):
        await page.set_viewport_size({"width": width, "height": 900})
        await page.goto("/staff/report?year=2026")
        assert await page.evaluate(CLIPPED) == []
        assert await page.evaluate(BROKEN_WORDS) == []
    await assert_accessible(page)
    session = await app[DB].fetchone("SELECT id FROM sessions ORDER BY id")
    for url in (
        "/staff/attendance?date=2026-11-30",
        "/staff/attendance/missing",
        "/staff/attendance?date=2026-11-26&days=7",
        f"/staff/attendance/{session['id']}/2026-11-30",
    ):
        await page.set_viewport_size({"width": 1280, "height": 800})
        assert (await page.goto(url)).status == 200
        await assert_accessible(page)
        await assert_no_horizontal_scroll(page)
