"""Who is a screen: its display token, from an `Authorization: Bearer` header, a `token`
query parameter (for WebSocket clients that cannot set headers) or the screen cookie
that the browser pairing page sets.

Only the token's SHA-256 is stored. A token opens its own screen's snapshot, heartbeat,
page and `display:{id}` channel, and nothing else.
"""

from __future__ import annotations

from aiohttp import web

from quartier.channels import listed
from quartier.routing import STAFF, Access, check
from quartier.typedefs import COOKIES_UNTRUSTED, DB
from quartier.web import bearer_token
from signage import changes
from signage.store import TOKEN_PREFIX, sha256

DISPLAY_COOKIE = "quartier_display"
_DISPLAY = web.RequestKey("signage_display", object)
_NONE = object()


def presented_token(request: web.Request) -> str | None:
    cookie = None if request.get(COOKIES_UNTRUSTED) else request.cookies.get(DISPLAY_COOKIE)
    for token in (bearer_token(request), request.query.get("token"), cookie):
        if token and token.startswith(TOKEN_PREFIX) and len(token) < 100:
            return token
    return None


async def display_id(request: web.Request) -> int | None:
    """The screen whose valid token this request carries, or None (looked up once per request)."""
    cached = request.get(_DISPLAY, _NONE)
    if cached is not _NONE:
        return cached
    found = None
    token = presented_token(request)
    if token:
        row = await request.app[DB].fetchone("SELECT id FROM signage_displays WHERE token_hash = ?", (sha256(token),))
        found = row["id"] if row else None
    request[_DISPLAY] = found
    return found


async def _own_display(request: web.Request) -> bool:
    """The route's {id} is the screen the token belongs to."""
    found = await display_id(request)
    return found is not None and request.match_info.get("id") == str(found)


async def _own_channels(request: web.Request) -> bool:
    """Every display:{id} channel asked for on /ws is the token's own screen."""
    found = await display_id(request)
    if found is None:
        return False
    return all(asked == str(found) for asked in changes.displays_asked(listed(request.query.get("channels", ""))))


OWN_DISPLAY: Access = check("display_token", _own_display)
STAFF_OR_OWN_DISPLAY: Access = STAFF | OWN_DISPLAY
DISPLAY_CHANNEL: Access = STAFF | check("display_token", _own_channels)
