"""A session page says which day each next date is, cancelled ones too, in either language (issue 23)."""

import datetime as dt
import re

import babel.dates

from events import store
from events.model import clean_exception
from quartier.typedefs import DB, SETTINGS
from tests.events.helpers import add_session, add_site

PHONE = {"width": 375, "height": 740}


def first_tuesday_after(day: dt.date, days: int) -> dt.date:
    """A Tuesday at least `days` away: far enough that the hour the test runs at changes nothing."""
    start = day + dt.timedelta(days=days)
    return start + dt.timedelta(days=(1 - start.weekday()) % 7)


async def seed(app) -> tuple[int, list[dt.date]]:
    today = dt.datetime.now(app[SETTINGS].tz).date()
    first = first_tuesday_after(today, 10)
    await add_site(app)
    id = await add_session(
        app, title="Atelier messagerie", date=first.isoformat(), start="14:00", end="16:00", room="Salle 2"
    )
    dates = [first + dt.timedelta(weeks=n) for n in range(3)]
    cancel = clean_exception({"date": dates[1].isoformat(), "status": "cancelled", "reason": "Formation"})
    await app[DB].write(lambda tx: store.set_exception(tx, id, cancel))
    return id, dates


def squash(text: str) -> str:
    """Folded ASCII whitespace; the no-break spaces of French typography stay."""
    return re.sub(r"[ \t\n]+", " ", text).strip()


def day_text(day: dt.date, lang: str) -> str:
    text = babel.dates.format_date(day, "EEEE d MMMM", locale=lang)
    return text[:1].upper() + text[1:]


async def test_each_next_date_names_its_day_and_a_cancelled_one_keeps_it(page, server):
    id, dates = await seed(server.app)
    await page.set_viewport_size(PHONE)
    await page.goto(f"/sessions/{id}")
    cards = page.locator(".session-date")
    assert await cards.count() >= 3
    for n, day in enumerate(dates):
        card = cards.nth(n)
        assert await card.get_attribute("data-date") == day.isoformat()
        text = squash(await card.inner_text())
        assert text.startswith(day_text(day, "fr")), text  # "Mardi 16 décembre", not just "14:00–16:00"
        assert "14:00–16:00" in text
    cancelled = squash(await cards.nth(1).inner_text())
    assert day_text(dates[1], "fr") in cancelled and "Annulée\u00a0: Formation" in cancelled
    # The title is the page's: the cards do not repeat it nine times.
    assert await page.locator(".session-dates >> text=Atelier messagerie").count() == 0
    when = squash(await page.locator(".facts dd").nth(1).inner_text())
    assert when == "Chaque semaine, le mardi, 14:00–16:00"
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


async def test_english_dates_and_punctuation(page, server):
    id, dates = await seed(server.app)
    await page.goto(f"/lang/en?next=/sessions/{id}")
    cancelled = squash(await page.locator(".session-date").nth(1).inner_text())
    assert cancelled.startswith(day_text(dates[1], "en")), cancelled  # "Tuesday 16 December": no lower-case month
    assert "Cancelled: Formation" in cancelled and " :" not in cancelled
    when = squash(await page.locator(".facts dd").nth(1).inner_text())
    assert when == "Every week on Tuesday, 14:00–16:00"
    await page.goto("/")
    assert " :" not in await page.inner_text("main")  # "Welcome to Quartier: …", not "Quartier : …"
