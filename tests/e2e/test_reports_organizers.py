"""What organizers read (issue 23), in real Chromium on the demo's data: the feedback results and the
service-time dashboard say their figures in sentences and dates, with nothing cut off at any width."""

from __future__ import annotations

import datetime as dt
import re

from quartier import formats
from quartier.typedefs import SETTINGS
from tests.conftest import PASSWORD
from tests.hostile import server  # noqa: F401  (the demo-filled server)

from .conftest import assert_accessible, assert_no_horizontal_scroll
from .overflow import clipped_texts
from .test_commons import log_in

WIDTHS = (1280, 768, 390)  # a desk, a tablet, a phone


async def test_feedback_results_read_as_sentences_and_nothing_is_clipped(page, server):  # noqa: F811
    await log_in(page, "demo", PASSWORD)
    assert (await page.goto("/staff/feedback")).status == 200
    text = await page.inner_text("main")
    assert "moyenne sur" not in text  # "2060 réponses · moyenne sur 19" on a question that has no mean
    assert re.search(r"réponses, note moyenne \d,\d+ sur 5", text), text[:600]  # a decimal comma
    assert "plusieurs choix possibles" in text
    assert not re.search(r"\b1 (réponses|votants|séances)\b", text)
    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": 900})
        assert await clipped_texts(page) == [], width
    # The bars are drawn to scale: "Très bien" is the share the table says.
    row = page.locator("section[aria-labelledby=res-satisfaction] tbody tr").last
    share = int((await row.locator("td").nth(1).inner_text()).replace("\u00a0", "").rstrip("%").strip())
    width = await row.locator("rect.bar").get_attribute("width")
    assert abs(float(width or 0) - share) <= 1
    await page.set_viewport_size({"width": 1280, "height": 900})
    await assert_accessible(page)
    await assert_no_horizontal_scroll(page)


async def test_the_dashboard_names_weeks_by_date_and_lets_an_organizer_set_the_baseline(page, server):  # noqa: F811
    await log_in(page, "demo", PASSWORD)
    assert (await page.goto("/dashboard")).status == 200
    main = await page.inner_text("main")
    assert not re.search(r"\d{4}-W\d\d", main), "weeks shown as ISO weeks"
    assert "semaine du " in main and "service_baseline_week" not in main
    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": 900})
        assert await clipped_texts(page) == [], width
    # Every legend entry and row label of the charts is written whole (no "Accès…" cut short).
    labels = await page.locator("svg.chart text.legend, svg.chart text.label").evaluate_all(
        "els => els.map(e => e.textContent)"
    )
    assert labels and not [t for t in labels if t.endswith("…")]
    await page.set_viewport_size({"width": 1280, "height": 900})
    await assert_accessible(page)

    # The organizer picks the baseline week on the page (a Wednesday of the demo's past weeks, which
    # have their weekly timetable): the goal line appears with its figures.
    today = dt.datetime.now(server.app[SETTINGS].tz).date()
    monday = today - dt.timedelta(days=today.weekday(), weeks=3)
    await page.get_by_label("Semaine de référence").fill((monday + dt.timedelta(days=2)).isoformat())
    await page.get_by_role("button", name="Enregistrer la semaine de référence").click()
    await page.wait_for_url("**/dashboard#goal")
    goal = await page.inner_text("section[aria-labelledby=goal]")
    assert "sur un objectif de" in goal and f"semaine de référence ({formats.week_of(monday, 'fr')})" in goal
    assert await page.get_by_label("Semaine de référence").input_value() == monday.isoformat()
    assert await page.locator("svg.chart line.goal").count() == 1
    assert await clipped_texts(page) == []
    await assert_accessible(page)
