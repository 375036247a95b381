"""A theme or an audience staff typed is data, not a message id: "100 % local" or markup in it must
show as text on every page, never a 500 (Jinja's newstyle gettext formats with % and marks safe)."""

from forum import queries, store
from quartier.typedefs import DB, SETTINGS
from tests.conftest import text_of
from tests.events.helpers import add_session, add_site

LABEL = "100% <b>local</b>"


async def test_a_theme_named_by_staff_shows_as_text_on_every_forum_page(client, app):
    board = await app[DB].write(lambda tx: store.create_board_tx(tx, title="Forum", moderation="post"))
    await app[DB].write(lambda tx: store.set_themes_tx(tx, board["id"], {}, LABEL))
    code = (await app[DB].read(lambda d: queries.board(d, board["id"])))["code"]
    key = store.facilitator_key(
        app[SETTINGS].secret_key,
        board["id"],
        (await app[DB].read(lambda d: queries.board(d, board["id"])))["link_salt"],
    )
    for url in (
        f"/forum/boards/{board['id']}/tablet",
        f"/j/{code}",
        f"/forum/boards/{board['id']}/wall",
        f"/forum/boards/{board['id']}/console?key={key}",
    ):
        r = await client.get(url)
        html = await r.text()
        assert r.status == 200, url
        assert "<b>local</b>" not in html and "100% &lt;b&gt;local&lt;/b&gt;" in html, url


async def test_an_audience_typed_by_staff_shows_as_text(client, app):
    await add_site(app)
    id = await add_session(app, title="Atelier", audience=["100% débutants", "<i>seniors</i>"])
    r = await client.get(f"/sessions/{id}")
    assert r.status == 200
    html = await r.text()
    assert "<i>seniors</i>" not in html and "100% débutants" in text_of(html)
