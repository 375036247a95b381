"""The demo's shared means and spaces (issue 19, point 5): items with bookings in progress (one out,
one late), a broken printer said on its site, half-day requests waiting, one accepted into the
programme, at least 30 occurrences in the demo's week, and the settings the demo writes."""

from __future__ import annotations

import datetime as dt

from commons import base_words, halfdays, means
from commons.schema import migrations as commons_migrations
from events import queries
from events.schema import migrations as events_migrations
from quartier import settings as settings_module
from quartier.db import Database
from quartier.demo import build_demo, fill


async def test_the_demo_has_means_a_broken_printer_and_half_day_requests(settings):
    await fill(settings, "password-for-demo")
    db = Database(settings.database_location)
    await db.open([events_migrations, commons_migrations])
    try:
        today = dt.datetime.now(settings.tz).date()

        def read(d):
            return {
                "means": means.catalogue(d),
                "out": means.bookings(d, state="out"),
                "late": means.late(d, today),
                "pending": means.bookings(d, state="pending"),
                "printer": base_words.out_of_order(d, "maurepas", settings.tz),
                "requests": halfdays.listed(d),
                "week": queries.occurrences(d, today, today + dt.timedelta(days=6)),
            }

        data = await db.read(read)
    finally:
        await db.close()
    assert len(data["means"]) >= 5 and len(data["out"]) == 2 and len(data["late"]) == 1 and data["pending"]
    assert [(o["label"], o["state"]) for o in data["printer"]] == [("Imprimante et scanner", "broken")]
    states = sorted(r["state"] for r in data["requests"])
    assert states == ["accepted", "pending", "pending"]
    assert len(data["week"]) >= 30


def test_the_demo_config_sets_the_baseline_week_and_opens_the_catalogue(tmp_path, monkeypatch):
    written: dict = {}

    async def no_fill(settings, password):
        written["settings"] = settings

    monkeypatch.setattr("quartier.demo.fill", no_fill)
    build_demo(tmp_path)
    loaded = settings_module.load(tmp_path / settings_module.CONFIG_FILE)
    assert loaded.means_catalogue_public is True
    baseline = dt.date.today() - dt.timedelta(weeks=4)
    assert loaded.service_baseline_week == f"{baseline.isocalendar()[0]}-W{baseline.isocalendar()[1]:02d}"
