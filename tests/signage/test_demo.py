"""The demo's screens: one paired at Maurepas, one waiting with a code; announcements, one urgent."""

import datetime as dt
import re

from quartier.db import Database
from quartier.demo import fill
from signage import snapshot


async def test_demo_has_a_paired_screen_a_waiting_code_and_an_urgent_announcement(settings, capsys):
    await fill(settings, "password-for-demo")
    out = capsys.readouterr().out
    assert re.search(r"/screens/1\?token=qd_", out)
    code = re.search(r"code ([A-Z0-9]{6})", out).group(1)
    db = Database(settings.database_location)
    await db.open()
    try:
        displays = await db.fetchall("SELECT * FROM signage_displays")
        waiting = await db.fetchall("SELECT code FROM signage_pairings WHERE state = 'waiting'")
        now = dt.datetime.now(settings.tz)
        snap = await db.read(lambda d: snapshot.build(d, 1, tz=settings.tz, links=snapshot.Links("http://x"), now=now))
    finally:
        await db.close()
    assert len(displays) == 1 and displays[0]["site"] == "maurepas" and displays[0]["token_hash"]
    assert [w["code"] for w in waiting] == [code]
    assert snap["site"]["name"] != "maurepas"  # the programme's site, with its real name
    assert snap["sessions"], "the demo week has sessions at Maurepas"
    staff = [a for a in snap["announcements"] if a["id"] > 0]  # the others say what of the base is out of order
    urgent = [a for a in staff if a["urgent"]]
    assert len(staff) == 3 and [a["title"] for a in urgent] == ["Fermeture exceptionnelle vendredi à 16 h"]
    base = [a["title"] for a in snap["announcements"] if a["id"] < 0]
    assert len(base) == 1 and base[0].startswith("Imprimante et scanner en panne depuis")  # the demo's broken printer
