""" "Enregistré" after a staff form saves: one flash message for every staff page (issue 23).

A staff member's form POST that the server answers with a redirect (POST → redirect → GET) has
saved something; the answer sets a short-lived cookie, and the next page rendered for that staff
member says so in a `role="status"` region of base.html, in their language, then forgets it.
Only for a signed-in staff account: anonymous pages may be served from the page cache, which
must never keep a message meant for one person. The cookie holds a code from MESSAGES, never a
text: a forged cookie can only make a page say one of these.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.routing import access_of
from quartier.typedefs import SETTINGS, USER

COOKIE = "quartier_flash"
MESSAGES = {"saved": N_("Enregistré.")}
SECONDS = 60  # a redirect is followed at once; a cookie left by a lost redirect soon goes

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Set by a handler whose redirect saved nothing (a "are you sure?" step): no message then.
NOTHING_SAVED = web.RequestKey("flash_nothing_saved", bool)


def nothing_saved(request: web.Request) -> None:
    """This POST's redirect leads on without saving anything: the next page must not say "Enregistré"."""
    request[NOTHING_SAVED] = True


@web.middleware
async def flash_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    access = access_of(request)
    if (
        request.method == "POST"
        and request.get(USER) is not None
        and access is not None
        and not access.public  # login, logout, a language choice: nothing saved
        and not request.path.startswith("/api/")
        and response.status in (302, 303)
        and not request.get(NOTHING_SAVED)
    ):
        secure = request.app[SETTINGS].secure_cookies
        response.set_cookie(COOKIE, "saved", max_age=SECONDS, httponly=True, samesite="Lax", secure=secure, path="/")
    return response


def pending(request: web.Request) -> str | None:
    """The message waiting for this staff member's page (translated), or None."""
    code = request.cookies.get(COOKIE)
    if code not in MESSAGES or request.get(USER) is None:
        return None
    return _(MESSAGES[code])


def forget(request: web.Request, response: web.StreamResponse) -> None:
    """Once a page has been rendered, the message is gone (shown at most once)."""
    if COOKIE in request.cookies:
        response.del_cookie(COOKIE, path="/")
