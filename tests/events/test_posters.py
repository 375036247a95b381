"""Printed programme: a site's weekly poster, the booklet of every site, four flyers on a page."""

import datetime as dt
import re

from quartier.typedefs import DB
from tests.conftest import text_of

from .helpers import add_session, add_site


async def full_week(app, *, partners: bool = False):
    """A site with three sessions every day of a week (2025-W11), across the three axes; with
    `partners`, each axis run by its own partner (one with a logo), so the poster prints their strip."""
    await add_site(app, accessibility=["step-free", "hearing-loop"])
    axes = [("droits", "permanence"), ("accompagnement", "atelier"), ("acces-libre", "acces-libre")]
    keys = [None, None, None]
    if partners:
        keys = await _three_partners(app)
    for day in range(7):
        date = (dt.date(2025, 3, 10) + dt.timedelta(days=day)).isoformat()
        for i, (axis, kind) in enumerate(axes):
            await add_session(
                app,
                title=f"Séance {kind} numéro {day * 3 + i + 1} avec un titre assez long",
                axis=axis,
                kind=kind,
                date=date,
                start=f"{9 + 3 * i:02d}:00",
                end=f"{11 + 3 * i:02d}:00",
                room=f"Salle {i + 1}",
                repeat=None,
                partner=keys[i] or "",
            )


async def _three_partners(app) -> list[str]:
    from events import partners
    from tests.commons.helpers import add_partner, png_bytes

    await add_partner(app, "caf-35", "CAF d'Ille-et-Vilaine", short_name="CAF")
    await add_partner(app, "ville", "Ville de Rennes")
    await add_partner(app, "centres-sociaux", "Associations des centres sociaux", short_name="Centres sociaux")
    data = png_bytes(600, 200)
    logo = {"data": data, "extension": "png", "content_type": "image/png", "width": 600, "height": 200}
    await app[DB].write(lambda tx: partners.set_logo(tx, "caf-35", logo))
    return ["caf-35", "ville", "centres-sociaux"]


async def test_poster_shows_the_week_by_day_with_hours_access_and_a_qr(client, server):
    await full_week(server.app)
    r = await client.get("/sites/maurepas/poster", params={"week": "2025-W11"})
    assert r.status == 200
    html = await r.text()
    text = text_of(html)
    assert "Gratuit — ouvert à toutes et à tous" in text
    assert "Semaine du lundi 10 mars au dimanche 16 mars 2025" in text
    assert text.count("avec un titre assez long") == 21
    assert "Samedi 15 mars" in text and "Dimanche 16 mars" in text
    assert "lundi-vendredi 09:00-12:00, 13:30-17:30" in text
    assert "Boucle magnétique" in text
    # The QR code points at the site's live page on the public base URL, written out under it.
    assert 'aria-label="Programme en direct de ESC Maurepas"' in html
    assert "quartier.test/sites/maurepas" in text
    assert 'class="sheet poster density-3"' in html
    # Pictograms are inline SVG; nothing is loaded from elsewhere.
    assert html.count('class="picto picto-droits"') >= 7
    assert not re.search(r'(src|href)="https?://', html)


async def test_booklet_has_a_summary_then_one_page_per_site(client, server):
    await add_site(server.app)
    await add_site(server.app, slug="cleunay", name="ESC Cleunay")
    await add_session(server.app, date="2025-03-03")
    html = await (await client.get("/posters", params={"week": "2025-W11"})).text()
    assert html.count('class="sheet ') == 3
    assert "Le programme numérique de la semaine" in text_of(html)
    assert html.index("summary-title") < html.index("poster-cleunay") < html.index("poster-maurepas")


async def test_staff_print_next_week_for_all_sites_in_one_click(organizer, server):
    await add_site(server.app)
    today = dt.date.today()
    nxt = (today + dt.timedelta(weeks=1)).isocalendar()
    html = await (await organizer.get("/staff/posters")).text()
    assert f'href="/posters?week={nxt[0]}-W{nxt[1]:02d}&amp;print=1"' in html
    page = await (await organizer.get(f"/posters?week={nxt[0]}-W{nxt[1]:02d}&print=1")).text()
    assert 'data-autoprint="1"' in page


async def test_flyers_are_four_a6_of_one_occurrence(client, server):
    await add_site(server.app)
    id = await add_session(server.app, title="Hackathon social", kind="hackathon", date="2025-03-15", repeat=None)
    r = await client.get(f"/sessions/{id}/flyers", params={"date": "2025-03-15"})
    html = await r.text()
    assert html.count('<article class="flyer') == 4
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="qr"') == 4
    assert text_of(html).count(f"quartier.test/sessions/{id}?date=2025-03-15") == 4
    assert (await client.get(f"/sessions/{id}/flyers", params={"date": "2025-03-16"})).status == 404
    assert (await client.get("/sites/nowhere/poster")).status == 404
