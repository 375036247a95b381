"""Issue 20, point 5: the directory for professionals, by need and by neighbourhood, and each need's iCal."""

from __future__ import annotations

import icalendar

from tests.conftest import text_of

from .helpers import import_places, programme


async def test_the_directory_by_need_lists_sessions_places_and_what_to_bring(client, app):
    await programme(app)
    await import_places(app)
    r = await client.get("/orientation/directory")
    assert r.status == 200
    html = await r.text()
    text = text_of(html)
    sejour = text.split("Renouveler un titre de séjour", 1)[1].split("Créer un compte France Connect", 1)[0]
    assert "Permanence accès aux droits — ESC Le Blosne" in sejour and "Chaque semaine, mercredi" in sejour
    assert "Permanence titres de séjour — ESC Maurepas" in sejour and "Permanence démarches CAF" not in sejour
    assert "Préfecture — Point numérique des étrangers" in sejour and "lundi-vendredi 09:00-12:00" in sejour
    assert "À apporter : Votre titre de séjour actuel" in sejour
    assert html.count('class="entry ') == 14  # one page per need
    one = text_of(await (await client.get("/orientation/directory?need=ordinateur")).text())
    assert "Ordinateurs reconditionnés" in one and "Renouveler un titre de séjour" not in one


async def test_the_directory_by_neighbourhood_lists_the_nearest_places(client, app):
    await programme(app)
    await import_places(app)
    text = text_of(await (await client.get("/orientation/directory?by=neighbourhood")).text())
    maurepas = text.split("ESC Maurepas", 1)[1].split("ESC Le Blosne", 1)[0]
    assert "Permanence titres de séjour" in maurepas and "Atelier smartphone" in maurepas
    near = maurepas.split("Lieux les plus proches", 1)[1]
    assert near.index("Bibliothèque du Gros-Chêne") < near.index("Médiathèque de Cleunay")
    assert (await client.get("/orientation/directory?by=quoi")).status == 400


async def test_a_needs_calendar_holds_only_the_sessions_serving_it(client, app):
    ids = await programme(app)
    r = await client.get("/orientation/needs/titre-de-sejour/calendar.ics")
    assert r.status == 200 and r.content_type == "text/calendar"
    cal = icalendar.Calendar.from_ical(await r.read())
    summaries = sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT"))
    assert summaries == ["Permanence accès aux droits", "Permanence titres de séjour", "Permanence étrangers du matin"]
    uids = {str(e["UID"]) for e in cal.walk("VEVENT")}
    assert f"session-{ids['sejour']}@quartier.test" in uids
    etag = r.headers["ETag"]
    again = await client.get("/orientation/needs/titre-de-sejour/calendar.ics", headers={"If-None-Match": etag})
    assert again.status == 304
    assert (await client.get("/orientation/needs/nope/calendar.ics")).status == 404
