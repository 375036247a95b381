"""Issue 19 in real Chromium: a partner books a free Tuesday afternoon, the organizer accepts it, and
it appears on the public programme, the site's poster and the dashboard's hours; a fault reported
from its printed QR label (decoded with zbarimg) shows on the open site page and lobby screen
within seconds; two overlapping bookings of one item, the second refused naming the first."""

from __future__ import annotations

import subprocess
import time
from urllib.parse import quote, urlsplit

from commons import base
from quartier import auth
from quartier.typedefs import DB
from tests.commons.helpers import add_partner
from tests.conftest import PASSWORD, create_user
from tests.events.helpers import add_session, add_site
from tests.signage.helpers import pair

from .conftest import assert_accessible, wait_until
from .test_commons import log_in


async def test_a_partner_books_a_free_tuesday_afternoon_and_it_reaches_programme_poster_dashboard(
    browser, base_url, app
):
    await add_site(app)
    await add_session(app, title="Atelier tablette", date="2099-03-02", room="Salle 2", repeat={"every": "weekly"})
    caf = await add_partner(app, "caf-35", "CAF d'Ille-et-Vilaine", short_name="CAF", kind="caf")
    await auth.add_user(app[DB], "caf", "partner", PASSWORD, caf)
    await create_user(app, "orga", "organizer")
    partner_ctx = await browser.new_context(base_url=base_url, locale="fr-FR")
    organizer_ctx = await browser.new_context(base_url=base_url, locale="fr-FR")
    try:
        partner, organizer = await partner_ctx.new_page(), await organizer_ctx.new_page()
        await log_in(organizer, "orga")
        await organizer.goto("/staff/demandes-salles")
        assert "Aucune demande en attente." in await organizer.inner_text("main")
        await log_in(partner, "caf")
        await partner.goto("/espaces?site=maurepas&week=2099-W10")
        await assert_accessible(partner)
        await partner.click('a[href*="date=2099-03-03"][href*="half=afternoon"]')
        await partner.wait_for_load_state()
        assert await partner.input_value("#start") == "14:00" and await partner.input_value("#date") == "2099-03-03"
        await assert_accessible(partner)
        await partner.fill("#title", "Permanence numérique CAF")
        await partner.select_option("#axis", "droits")
        await partner.click("form.stack button[type=submit]")
        await partner.wait_for_load_state()
        assert "Demande envoyée" in await partner.inner_text("main")
        # The organizer's queue shows it live; it is not on the programme yet.
        await wait_until(organizer, "document.body.innerText.includes('Permanence numérique CAF')")
        await assert_accessible(organizer)
        public = await partner_ctx.new_page()
        await public.goto("/programme?week=2099-W10")
        assert "Permanence numérique CAF" not in await public.inner_text("main")
        await organizer.click("text=Accepter : mettre au programme")
        await organizer.wait_for_load_state()
        assert "/sessions/" in organizer.url and "CAF d'Ille-et-Vilaine" in await organizer.inner_text("main")
        await public.goto("/programme?week=2099-W10")
        assert "Permanence numérique CAF" in await public.inner_text("main")
        await public.goto("/sites/maurepas/poster?week=2099-W10")
        assert "Permanence numérique CAF" in await public.inner_text("body")
        await organizer.goto("/dashboard?from=2099-W10&to=2099-W10&week=2099-W10")
        said = await organizer.inner_text("#base-coverage") + await organizer.inner_text("main")
        assert "Semaine du 2 mars 2099 : 3 h de service viennent de demi-journées de salles réservées" in said
        # A second request for the same afternoon is refused with its reason.
        await partner.goto("/espaces?site=maurepas&week=2099-W10")
        assert "Permanence numérique CAF" in await partner.inner_text("main")
        assert await partner.locator('a[href*="date=2099-03-03"][href*="half=afternoon"]').count() == 0
    finally:
        await partner_ctx.close()
        await organizer_ctx.close()


async def test_a_fault_from_its_printed_qr_shows_on_the_site_page_and_the_screen(
    browser, base_url, app, client, bearer, tmp_path
):
    await add_site(app, opening_hours="Mo-Su 00:00-24:00")

    def write(tx):
        site_id = tx.execute("SELECT id FROM sites WHERE slug = 'maurepas'").fetchone()[0]
        return base.add_item(tx, site_id, "scan_print", "Imprimante")

    await app[DB].write(write)
    await create_user(app, "orga", "organizer")
    screen = await pair(client, bearer)
    staff_ctx = await browser.new_context(base_url=base_url, locale="fr-FR")
    resident_ctx = await browser.new_context(base_url=base_url, locale="fr-FR")
    try:
        staff = await staff_ctx.new_page()
        await log_in(staff, "orga")
        await staff.goto("/staff/socle/maurepas/etiquettes")
        label = staff.locator("figure.fault-label img")
        await label.evaluate("i => i.complete || new Promise(r => i.onload = r)")
        image = tmp_path / "label.png"
        await label.screenshot(path=str(image))
        decoded = subprocess.run(
            ["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True, timeout=30
        )
        url = decoded.stdout.strip()
        assert url.startswith("http://quartier.test/panne/"), decoded
        # The site page and the lobby screen are open when the resident scans the label.
        site = await resident_ctx.new_page()
        await site.goto("/sites/maurepas")
        assert "Tous les équipements du lieu fonctionnent" in await site.inner_text("#site-base")
        lobby = await staff_ctx.new_page()
        now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        await lobby.goto(f"/screens/{screen['id']}?token={screen['token']}&now={quote(now[:-2] + ':' + now[-2:])}")
        await wait_until(lobby, "document.body.dataset.state === 'ready' && document.body.dataset.live === 'open'")
        phone = await resident_ctx.new_page()
        await phone.goto(urlsplit(url).path)
        await assert_accessible(phone)
        started = time.monotonic()
        await phone.click("text=Ça ne marche pas")
        await phone.wait_for_load_state()
        assert "Merci" in await phone.inner_text("main")
        await wait_until(site, "document.getElementById('site-base').innerText.includes('Imprimante en panne')", 5)
        await wait_until(lobby, "document.body.innerText.includes('Imprimante en panne')", 10)
        assert time.monotonic() - started < 10
    finally:
        await staff_ctx.close()
        await resident_ctx.close()


async def test_two_overlapping_bookings_of_one_item_the_second_is_refused(page, app):
    await add_site(app)
    city = await add_partner(app, "ville", "Ville de Rennes", kind="city")
    await auth.add_user(app[DB], "ville", "partner", PASSWORD, city)
    await log_in(page, "ville")
    await page.goto("/materiel")
    await page.fill("#name", "Vidéoprojecteur")
    await page.select_option("#kind", "projector")
    await page.click("form.stack button[type=submit]")
    await page.wait_for_load_state()
    assert "/materiel/" in page.url
    await assert_accessible(page)

    async def book(start: str, end: str, purpose: str) -> None:
        await page.fill("#start_date", start)
        await page.select_option("#start_half", "morning")
        await page.fill("#end_date", end)
        await page.select_option("#end_half", "afternoon")
        await page.fill("#purpose", purpose)
        await page.click("form[action$='/reservations'] button[type=submit]")
        await page.wait_for_load_state()

    await book("2099-03-03", "2099-03-04", "Forum du Blosne")
    assert "Demande de réservation envoyée" in await page.inner_text("main")
    await book("2099-03-04", "2099-03-05", "Atelier photo")
    alert = await page.inner_text("[role=alert]")
    assert "Déjà réservé du 2099-03-03 au 2099-03-04 par Ville de Rennes : « Forum du Blosne »" in alert
    await assert_accessible(page)
