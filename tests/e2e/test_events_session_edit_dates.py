"""The session edit page lists the session's dates with their actions (issue 23): to cancel the
10 December date, an organizer no longer clicks "Lendemain" day after day from the day's list."""

from __future__ import annotations

import datetime as dt

from quartier.typedefs import CLOCK, DB, SETTINGS
from tests.conftest import create_user
from tests.events.helpers import add_session, add_site

from .conftest import assert_accessible, assert_no_horizontal_scroll
from .test_commons import log_in


async def weekly_thursdays(app) -> int:
    """A weekly Thursday workshop since November; the app's clock fixed on Tuesday 1 December 2026."""
    app[CLOCK].fixed = dt.datetime(2026, 12, 1, 9, 30, tzinfo=app[SETTINGS].tz)
    await add_site(app)
    await create_user(app, "orga", "organizer")
    return await add_session(app, title="Atelier tablette", date="2026-11-05", start="14:00", end="16:00")


async def test_cancelling_the_10_december_date_from_the_edit_page(page, server):
    id = await weekly_thursdays(server.app)
    await log_in(page, "orga")
    assert (await page.goto(f"/staff/sessions/{id}")).status == 200
    dates = page.locator("#dates .session-date")
    assert await dates.count() == 12  # a page of them: 3 December to 18 February
    assert [await dates.nth(n).get_attribute("data-date") for n in (0, 1, 11)] == [
        "2026-12-03",
        "2026-12-10",
        "2027-02-18",
    ]
    assert (await dates.nth(1).inner_text()).startswith("Jeudi 10 décembre 2026")
    await assert_accessible(page)

    await page.get_by_role("link", name="Annuler la date du Jeudi 10 décembre 2026").click()
    await page.get_by_label("Raison affichée au public (facultatif)").fill("Sortie au musée")
    await page.get_by_role("button", name="Confirmer l'annulation").click()
    await page.wait_for_url(f"**/staff/sessions/{id}#dates")
    card = page.locator('#dates .session-date[data-date="2026-12-10"]')
    assert "Annulée\u00a0: Sortie au musée" in await card.inner_text()
    assert await page.locator("text=Lendemain").count() == 0  # never went through the day's list
    status = await server.app[DB].fetchone(
        "SELECT status, reason FROM occurrence_exceptions WHERE session_id = ? AND date = '2026-12-10'", (id,)
    )
    assert (status["status"], status["reason"]) == ("cancelled", "Sortie au musée")
    await assert_accessible(page)

    # "Complet" in one click, and the date is restored the same way; the other dates are untouched.
    await page.get_by_role("button", name="Complet le Jeudi 17 décembre 2026").click()
    await page.wait_for_url(f"**/staff/sessions/{id}#dates")
    assert "Complet" in await page.locator('#dates .session-date[data-date="2026-12-17"] .occ-status').inner_text()
    await page.get_by_role("button", name="Rétablir comme prévu le Jeudi 17 décembre 2026").click()
    await page.wait_for_url(f"**/staff/sessions/{id}#dates")
    assert await page.locator("#dates .occ-status").count() == 1  # only the 10 December one


async def test_moving_a_date_and_paging_to_later_dates(page, server):
    id = await weekly_thursdays(server.app)
    await log_in(page, "orga")
    await page.goto(f"/staff/sessions/{id}")
    await page.get_by_role("link", name="Déplacer la date du Jeudi 3 décembre 2026").click()
    await page.get_by_label("Nouvelle date").fill("2026-12-04")
    await page.get_by_role("button", name="Déplacer", exact=True).click()
    await page.wait_for_url(f"**/staff/sessions/{id}#dates")
    moved = await page.locator('#dates .session-date[data-date="2026-12-03"]').inner_text()
    assert moved.startswith("Vendredi 4 décembre 2026") and "au lieu de jeudi 3 décembre 14:00" in moved

    await page.get_by_role("link", name="Dates suivantes").click()
    await page.wait_for_url("**dates_from=2027-02-19*")
    first = page.locator("#dates .session-date").first
    assert await first.get_attribute("data-date") == "2027-02-25"
    await assert_accessible(page)
    await assert_no_horizontal_scroll(page, zoom_width=390)
    await page.get_by_role("link", name="Revenir aux prochaines dates").click()
    assert await page.locator("#dates .session-date").first.get_attribute("data-date") == "2026-12-03"
