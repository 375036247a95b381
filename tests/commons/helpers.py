"""Builders for the commons' tests: partners, partner accounts, PNG logos, a past year's programme.

The budget of a past calendar year is complete whatever today is (every day of it is over), so
the tests use 2024 and never depend on the clock.
"""

from __future__ import annotations

import io
import zlib
from typing import Any

import aiohttp
import png

from events import partners, store
from events.model import clean_exception
from quartier import auth
from quartier.typedefs import DB
from quartier.web import DEVICE_COOKIE
from tests.conftest import PASSWORD, csrf_for, login
from tests.events.helpers import add_session, add_site

YEAR = 2024


def png_bytes(width: int, height: int) -> bytes:
    """A real PNG of the given size (a blue band on white), as an organizer's logo would be."""
    rows = [[(0, 79, 159) if y < height // 2 else (255, 255, 255) for _x in range(width)] for y in range(height)]
    out = io.BytesIO()
    png.Writer(width, height, greyscale=False).write(out, [[c for px in row for c in px] for row in rows])
    return out.getvalue()


def jpeg_header(width: int, height: int) -> bytes:
    """The first bytes of a baseline JPEG of that size (enough for the size check)."""
    sof = b"\xff\xc0\x00\x11\x08" + height.to_bytes(2, "big") + width.to_bytes(2, "big") + b"\x03" + b"\x00" * 9
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + sof + zlib.compress(b"x")


async def add_partner(app: Any, key: str, name: str, **kw: Any) -> int:
    p = partners.clean_partner({"key": key, "name": name, **kw})
    id, _outcome = await app[DB].write(lambda tx: partners.save_partner(tx, p))
    return id


async def partner_account(app: Any, make_client: Any, name: str, organisation: int) -> Any:
    """A client logged in as a partner account of `organisation`."""
    await auth.add_user(app[DB], name, "partner", PASSWORD, organisation)
    return await login(await make_client(), name)


async def partner_token(app: Any, name: str, organisation: int) -> dict[str, str]:
    await auth.add_user(app[DB], name, "partner", PASSWORD, organisation)
    return {"Authorization": f"Bearer {await auth.create_api_token(app[DB], name)}"}


async def programme_2024(app: Any) -> dict[str, int]:
    """Two partners and their 2024 sessions: the CAF's weekly 3 h drop-in run by 2 people, with one date
    cancelled; the city's one-off 2 h workshop. Returns the partners' ids."""
    await add_site(app)
    ids = {
        "caf-35": await add_partner(app, "caf-35", "CAF d'Ille-et-Vilaine", short_name="CAF", kind="caf", circle=1),
        "ville": await add_partner(app, "ville", "Ville de Rennes", kind="city", circle=1),
    }
    caf = await add_session(
        app,
        title="Permanence CAF",
        date="2024-01-01",
        start="09:00",
        end="12:00",
        partner="caf-35",
        staff_count=2,
        repeat={"every": "weekly", "count": 10},
    )
    cancel = clean_exception({"date": "2024-01-08", "status": "cancelled", "reason": "Absente"})
    await app[DB].write(lambda tx: store.set_exception(tx, caf, cancel))
    await add_session(
        app,
        title="Atelier tablette",
        date="2024-03-05",
        start="14:00",
        end="16:00",
        partner="Ville de Rennes",
        repeat=None,
    )
    return ids


async def post_with_file(client: Any, url: str, fields: dict[str, Any], name: str, data: bytes, **kw: Any) -> Any:
    """A multipart form as a browser sends it: the page's CSRF token, the fields, one file."""
    if not any(c.key == DEVICE_COOKIE for c in client.session.cookie_jar):
        await client.get("/healthz")
    body = aiohttp.FormData()
    for key, value in {**fields, "csrf_token": csrf_for(client)}.items():
        body.add_field(key, str(value))
    body.add_field(name, io.BytesIO(data), filename="logo.png", content_type="application/octet-stream")
    return await client.post(url, data=body, **kw)
