"""Builders for screen tests: a site with today's sessions, and a screen paired through the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from quartier.typedefs import SETTINGS
from tests.events.helpers import add_session, add_site

__all__ = ["add_session", "add_site", "pair", "today", "snapshot"]


def today(app) -> dt.date:
    return dt.datetime.now(app[SETTINGS].tz).date()


async def pair(
    client, bearer: dict[str, str], *, site: str = "maurepas", name: str = "Hall", orientation: str = "landscape"
) -> dict[str, Any]:
    """A screen paired the way a real one is: ask a code, staff claim it, poll for the token."""
    r = await client.post("/api/v1/displays/pair", json={})
    assert r.status == 201, await r.text()
    pairing = await r.json()
    r = await client.post(
        "/api/v1/displays/claim",
        headers=bearer,
        json={"code": pairing["code"], "site": site, "name": name, "orientation": orientation},
    )
    assert r.status == 201, await r.text()
    r = await client.get(f"/api/v1/displays/pair/{pairing['claim']}")
    assert r.status == 200, await r.text()
    return await r.json()


async def snapshot(client, screen: dict[str, Any], **headers: str):
    return await client.get(
        f"/api/v1/displays/{screen['id']}/snapshot", headers={"Authorization": f"Bearer {screen['token']}", **headers}
    )
