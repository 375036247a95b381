"""Issue 20, point 4 and the annual report: the slips printed are counted in "où avons-nous renvoyé,
pour quoi", on the staff page, in its CSV and in its Markdown, per need, site and destination."""

from __future__ import annotations

import csv
import io

from quartier.typedefs import DB, SETTINGS
from reports import report, report_formats
from tests.conftest import form, text_of

from .helpers import import_places, programme
from .test_slip import slip_forms


async def test_the_annual_report_counts_the_slips_printed(organizer, client, app):
    await programme(app)  # the clock is fixed in March 2026: the slips count in that month
    await import_places(app)
    forms = await slip_forms(client, "/orientation?need=titre-de-sejour&site=maurepas")
    for f in (forms[0], forms[0], forms[-1]):
        assert (await form(client, "/orientation/slips", f, allow_redirects=False)).status == 303
    caf = (await slip_forms(client, "/orientation?need=caf"))[0]
    assert (await form(client, "/orientation/slips", caf, allow_redirects=False)).status == 303

    page = text_of(await (await organizer.get("/staff/report", params={"year": 2026})).text())
    section = page.split("Où avons-nous renvoyé, pour quoi", 1)[1]
    assert section.startswith(" 4 tickets d'orientation imprimés.")
    assert "Renouveler un titre de séjour 3" in section and "Faire une demande à la CAF sur Internet 1" in section
    assert "ESC Maurepas 3" in section and "sans lieu choisi 1" in section
    assert "ESC Le Blosne 3" in section  # two for the Wednesday drop-in, one for the CAF's
    rows = list(csv.reader(io.StringIO(await (await organizer.get("/staff/report.csv", params={"year": 2026})).text())))
    assert ["orientation", "total", "tickets", "4"] in rows
    assert ["orientation_besoin", "titre-de-sejour", "Renouveler un titre de séjour", "3"] in rows
    built = await app[DB].read(lambda d: report.build(d, 2026, app[SETTINGS].tz))
    md = report_formats.to_markdown(built)
    assert "## Où avons-nous renvoyé, pour quoi" in md and "| Renouveler un titre de séjour | 3 |" in md
    # Another year counts none.
    other = text_of(await (await organizer.get("/staff/report", params={"year": 2025})).text())
    assert "0 ticket d'orientation imprimé." in other
    english = text_of(
        await (await organizer.get("/staff/report", params={"year": 2026}, headers={"Accept-Language": "en"})).text()
    )
    assert "Where did we refer people, for what" in english and "Renew a residence permit 3" in english
