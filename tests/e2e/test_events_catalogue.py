"""The catalogue in real Chromium (issue 21): a reader filters it and prints a sheet on A4; staff
schedule a session from a sheet and find it on the programme and on the sheet."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from quartier import auth
from quartier.app import create_app
from quartier.demo import fill
from quartier.typedefs import CLOCK, DB
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll
from tests.e2e.test_referral import log_in


@pytest.fixture
async def app(settings):
    await fill(settings, "password-for-demo")
    return create_app(settings)


async def test_a_reader_filters_the_catalogue_and_prints_a_sheet(page, server):
    await page.goto("/catalogue")
    await assert_accessible(page)
    await assert_no_horizontal_scroll(page)
    await page.set_viewport_size({"width": 1280, "height": 800})
    await page.select_option("#f-audience", "professionnels")
    await page.get_by_role("button", name="Filtrer").click()
    await page.wait_for_url(re.compile(r"audience=professionnels"))
    cards = page.locator(".sheet-card h2")
    assert await cards.all_inner_texts() == ["Repérer et orienter les personnes éloignées du numérique"]
    await cards.first.locator("a").click()
    text = await page.locator("main").inner_text()
    assert "Prochaines dates" in text and "ESC Maurepas" in text and "CC BY-SA 4.0" in text
    await assert_accessible(page)
    pdf = await page.pdf(prefer_css_page_size=True, print_background=True)
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert boxes and all(abs(float(w) - 595.9) < 2 and abs(float(h) - 842.9) < 2 for w, h in boxes)  # A4 in points
    assert len(boxes) <= 2, f"a sheet prints on {len(boxes)} pages"


async def test_staff_schedule_a_session_from_a_sheet(page, server):
    server.app[CLOCK].fixed = dt.datetime.now(ZoneInfo("Europe/Paris")).replace(hour=10, minute=0)
    await auth.add_user(server.app[DB], "orga", "organizer", "correct horse battery staple")
    await log_in(page, "/catalogue/creer-et-utiliser-sa-boite-mail")
    day = (dt.date.today() + dt.timedelta(days=9)).isoformat()
    await page.select_option("#s-site", "villejean")
    await page.fill("#s-date", day)
    await page.fill("#s-start", "10:00")
    await assert_accessible(page)
    await page.get_by_role("button", name="Créer la séance").click()
    await page.wait_for_url(re.compile(r"/sessions/\d+"))
    assert "Créer et utiliser sa boîte mail" in await page.locator("h1").inner_text()
    await page.goto(
        f"/sites/villejean?week={dt.date.fromisoformat(day).isocalendar()[0]}-W{dt.date.fromisoformat(day).isocalendar()[1]:02d}"
    )
    assert "Créer et utiliser sa boîte mail" in await page.locator("main").inner_text()
    await page.goto("/catalogue/creer-et-utiliser-sa-boite-mail")
    dates = await page.locator("#dates").inner_text()
    assert "Villejean" in dates and "10:00" in dates
    await page.goto("/staff/catalogue/new")
    await assert_accessible(page)
