"""The new-board form picks its site and session from the programme's lists (issue 23), instead
of a slug and a session number typed by hand."""

import re

from forum import queries
from quartier.typedefs import DB
from tests.conftest import form, text_of
from tests.events.helpers import add_session, add_site


async def test_site_and_session_are_chosen_from_lists(organizer, server):
    await add_site(server.app)
    await add_site(server.app, slug="cleunay", name="ESC Cleunay", address="rue Jules Lallemand")
    caf = await add_session(server.app, title="Temps fort du quartier")
    other = await add_session(server.app, site="cleunay", title="Atelier smartphone")
    page = await (await organizer.get("/forum")).text()
    site_select = re.search(r'<select id="site" name="site">(.*?)</select>', page, re.S)
    session_select = re.search(r'<select id="session" name="session">(.*?)</select>', page, re.S)
    assert site_select and session_select, "both are lists"
    assert '<option value="maurepas">ESC Maurepas</option>' in site_select.group(1)
    assert '<option value="cleunay">ESC Cleunay</option>' in site_select.group(1)
    assert f'<option value="{caf}">Temps fort du quartier</option>' in session_select.group(1)
    assert '<optgroup label="ESC Cleunay">' in session_select.group(1)

    # A session alone gives its site.
    r = await form(
        organizer, "/forum", {"title": "Forum Maurepas", "moderation": "pre", "site": "", "session": str(caf)}
    )
    assert r.status == 200
    board = (await server.app[DB].read(queries.boards))[0]
    assert (board["site"], board["session_id"]) == ("maurepas", caf)

    # A session of another site is refused in words, not a 500.
    r = await form(organizer, "/forum", {"title": "X", "moderation": "pre", "site": "maurepas", "session": str(other)})
    assert r.status == 422 and "Cette séance a lieu dans un autre lieu." in text_of(await r.text())
