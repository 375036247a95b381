"""Issue 18 in real Chromium: an organizer adds a partner with its logo; a partner account proposes a
session that reaches the public programme only once accepted; a year's contributions add up on the
budget page to the same totals as its ODS (read back with odfpy) and its CSV, and prints on A4."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from quartier import auth
from quartier.typedefs import DB
from tests.commons.helpers import YEAR, add_partner, png_bytes, programme_2024
from tests.commons.test_budget import EXPECTED_TOTAL, TYPED, read_ods
from tests.conftest import PASSWORD, create_user
from tests.events.helpers import add_site

from .conftest import assert_accessible, wait_until
from .test_events_posters import a4_boxes


async def log_in(page, name: str, password: str = PASSWORD) -> None:
    await page.goto("/login")
    await page.fill("#name", name)
    await page.fill("#password", password)
    await page.click("button[type=submit]")
    await page.wait_for_load_state()


async def test_an_organizer_adds_a_partner_with_its_logo(page, app, tmp_path):
    await add_site(app)
    await create_user(app, "orga", "organizer")
    await log_in(page, "orga")
    await page.goto("/staff/partners/new")
    await page.fill("#name", "CAF d'Ille-et-Vilaine")
    await page.fill("#short_name", "CAF")
    await page.select_option("#kind", "caf")
    await page.select_option("#circle", "1")
    await page.check("#site-maurepas")
    logo = tmp_path / "caf.png"
    logo.write_bytes(png_bytes(480, 200))
    await page.set_input_files("#logo", str(logo))
    await page.click("form[enctype] button[type=submit]")
    await page.wait_for_load_state()
    assert page.url.endswith("/staff/partners/caf")
    await page.goto("/partenaires")
    img = page.locator("img.partner-logo")
    assert await img.get_attribute("alt") == "Logo de CAF d'Ille-et-Vilaine"
    assert await img.evaluate("i => i.complete && i.naturalWidth") == 480
    assert "Premier cercle" in await page.locator("#circle-1").inner_text()


async def test_a_proposed_session_reaches_the_programme_once_an_organizer_accepts_it(browser, base_url, app):
    await add_site(app)
    caf = await add_partner(app, "caf-35", "CAF d'Ille-et-Vilaine", short_name="CAF")
    await auth.add_user(app[DB], "caf", "partner", PASSWORD, caf)
    await create_user(app, "orga", "organizer")
    partner_ctx = await browser.new_context(base_url=base_url, locale="fr-FR")
    organizer_ctx = await browser.new_context(base_url=base_url, locale="fr-FR")
    try:
        partner, organizer = await partner_ctx.new_page(), await organizer_ctx.new_page()
        await log_in(organizer, "orga")
        await organizer.goto("/staff/proposals")
        assert "Aucune proposition en attente." in await organizer.inner_text("main")
        await log_in(partner, "caf")
        await partner.goto("/partenaire/propositions")
        await partner.fill("#title", "Atelier « Mon espace CAF »")
        await partner.select_option("#kind", "atelier")
        await partner.select_option("#axis", "droits")
        await partner.fill("#date", "2099-03-02")
        await partner.fill("#start", "14:00")
        await partner.fill("#end", "16:00")
        await partner.click("form.stack button[type=submit]")
        await partner.wait_for_load_state()
        assert "Proposition envoyée" in await partner.inner_text("main")
        # The organizer's queue shows it live, through the bus; the public programme does not.
        await wait_until(organizer, "document.body.innerText.includes('Mon espace CAF')")
        public = await partner_ctx.new_page()
        await public.goto("/programme?week=2099-W10")
        assert "Mon espace CAF" not in await public.inner_text("main")
        await organizer.click("text=Accepter : mettre au programme")
        await organizer.wait_for_load_state()
        assert "/sessions/" in organizer.url and "CAF d'Ille-et-Vilaine" in await organizer.inner_text("main")
        await public.goto("/programme?week=2099-W10")
        assert "Atelier « Mon espace CAF »" in await public.inner_text("main")
    finally:
        await partner_ctx.close()
        await organizer_ctx.close()


async def test_the_budget_page_adds_up_to_its_ods_and_its_csv(page, app, client, bearer):
    await programme_2024(app)
    for line in TYPED:
        assert (await client.post("/api/v1/contributions", headers=bearer, json=line)).status == 201
    await create_user(app, "orga", "organizer")
    await log_in(page, "orga")
    await page.goto(f"/staff/budget?year={YEAR}")
    shown = (await page.inner_text("#budget-partners-total")).replace("\u202f", " ").replace("\xa0", " ")
    assert parse_euros(shown) == EXPECTED_TOTAL
    page_rows = await page.eval_on_selector_all(
        "#budget-partners tbody tr", "rows => rows.map(r => r.cells[r.cells.length - 2].innerText)"
    )
    assert round(sum(parse_euros(x) for x in page_rows), 2) == EXPECTED_TOTAL
    async with page.expect_download() as info:
        await page.click("text=Budget (ODS, LibreOffice)")
    sheets = read_ods(Path(await (await info.value).path()).read_bytes())
    header, *rows = sheets[f"Budget {YEAR}"]
    assert float(rows[-1][header.index("euros")]) == EXPECTED_TOTAL
    async with page.expect_download() as info:
        await page.click("text=Budget (CSV)")
    text = Path(await (await info.value).path()).read_text(encoding="utf-8")
    assert ["total", "euros", "", "", str(EXPECTED_TOTAL)] in list(csv.reader(io.StringIO(text)))
    await assert_accessible(page)
    # Printed on A4: nothing wider than the page, every chart followed by its table.
    await page.emulate_media(media="print")
    assert await page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
    pdf = await page.pdf(prefer_css_page_size=True, print_background=True)
    assert a4_boxes(pdf) == {(595, 842)}


def parse_euros(shown: str) -> float:
    """ "10 717,77 €" as 10717.77."""
    return float(re.sub(r"[^\d,-]", "", shown).replace(",", "."))
