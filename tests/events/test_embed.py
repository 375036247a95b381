"""Issue 17: the embeddable programme for partners' websites (no cookie, its own frame-ancestors)."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from quartier.settings import SettingsError, load
from quartier.typedefs import SETTINGS

from ..conftest import text_of
from .helpers import add_session, add_site


async def test_the_widget_sets_no_cookie_and_alone_may_be_framed(client, app):
    await add_site(app)
    today = dt.datetime.now(app[SETTINGS].tz).date()
    await add_session(app, date=today.isoformat(), repeat={"every": "weekly"})
    r = await client.get("/embed/programme?site=maurepas")
    assert r.status == 200
    assert "Set-Cookie" not in r.headers and not client.session.cookie_jar.filter_cookies(client.make_url("/"))
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in csp and "script-src 'self'" in csp and "X-Frame-Options" not in r.headers
    body = await r.text()
    assert "Permanence CAF" in text_of(body) and 'target="_blank" rel="noopener"' in body
    assert "<script" not in body
    # Every other page keeps refusing to be framed.
    for path in ("/", "/programme", "/sites/maurepas", "/open-data", "/login"):
        other = await client.get(path)
        assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"], path
        assert other.headers["X-Frame-Options"] == "DENY", path
    assert (await client.get("/embed/programme?site=nowhere")).status == 404
    assert (await client.get("/embed/programme?axis=cuisine")).status == 400
    by_axis = await (await client.get("/embed/programme?axis=acces-libre")).text()
    assert "Permanence CAF" not in text_of(by_axis) and "Accès libre et autonomie" in by_axis


async def test_partners_can_be_named_in_the_settings(make_client, tmp_path):
    from aiohttp.test_utils import TestClient, TestServer

    from quartier.app import create_app
    from quartier.settings import Settings

    settings = Settings(
        database="q.db",
        config_dir=tmp_path,
        secret_key="k",
        embed_origins=["https://www.caf.fr", "https://*.rennes.fr"],
    )
    async with TestClient(TestServer(create_app(settings))) as client:
        r = await client.get("/embed/programme")
        assert "frame-ancestors https://www.caf.fr https://*.rennes.fr;" in r.headers["Content-Security-Policy"] + ";"
    config = tmp_path / "quartier.yaml"
    config.write_text('embed_origins: ["https://www.caf.fr/page"]\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="embed_origins"):
        load(config)


async def test_staff_site_page_gives_the_snippet_to_paste(organizer, app):
    await add_site(app, name='ESC "Maurepas"')
    page = await (await organizer.get("/staff/sites/maurepas")).text()
    snippets = [html.unescape(s) for s in re.findall(r"<textarea[^>]*>(.*?)</textarea>", page, re.S)]
    assert len(snippets) == 4
    assert snippets[0].startswith('<iframe src="http://quartier.test/embed/programme?site=maurepas"')
    assert 'title="Programme de ESC &quot;Maurepas&quot;"' in snippets[0]
    assert "axis=droits" in snippets[3]
