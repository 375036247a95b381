"""The core's own pages: login and logout, the language switch, the staff home, QR codes."""

from __future__ import annotations

from aiohttp import web

from quartier import auth, ws
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.qr import qr_png, qr_svg
from quartier.routing import PARTNER, PUBLIC, STAFF, Routes
from quartier.templates import public_url, render
from quartier.typedefs import DB, LIMITER, PARTNER_LINKS, SESSION_ID, SETTINGS, STAFF_LINKS, USER
from quartier.web import LANGUAGE_COOKIE, STAFF_COOKIE, redirect, safe_next, set_cookie

routes = Routes()

# Login throttling: an address and an account name each get a few tries a minute.
LOGIN_PER_MINUTE = 5
LOGIN_BURST = 10


@routes.get("/login", name="login", access=PUBLIC)
async def login_form(request: web.Request) -> web.Response:
    return render(request, "login.html", {"next": safe_next(request.query.get("next"), "/staff")})


@routes.post("/login", name="login_submit", access=PUBLIC)
async def login_submit(request: web.Request) -> web.Response:
    form = await request.post()
    name = str(form.get("name", "")).strip()[:80]
    password = str(form.get("password", ""))[:200]
    next_url = safe_next(str(form.get("next", "")), "/staff")
    await request.app[LIMITER].enforce(
        [
            (f"login-ip:{request.remote}", LOGIN_PER_MINUTE, LOGIN_BURST),
            (f"login-name:{name.lower()}", LOGIN_PER_MINUTE, LOGIN_BURST),
        ],
        N_("Trop d'essais de connexion : réessayez dans {seconds} secondes."),
    )
    user = await auth.check_login(request.app[DB], name, password)
    if user is None:
        return render(
            request,
            "login.html",
            {"next": next_url, "name": name, "error": _("Nom ou mot de passe incorrect.")},
            status=401,
        )
    cookie = await auth.open_session(request.app[DB], user, request.cookies.get(STAFF_COOKIE))
    response = redirect(next_url)
    set_cookie(request, response, STAFF_COOKIE, cookie, max_age=auth.SESSION_DAYS * 86400)
    return response


@routes.post("/logout", name="logout", access=PUBLIC)
async def logout(request: web.Request) -> web.Response:
    session = request.get(SESSION_ID)
    if session:
        await auth.close_session(request.app[DB], session)
        await ws.revoke(request.app, session=session)  # its live pages too, on every worker
    response = redirect("/")
    response.del_cookie(STAFF_COOKIE, path="/")
    return response


@routes.get("/lang/{code}", name="language", access=PUBLIC)
async def switch_language(request: web.Request) -> web.Response:
    code = request.match_info["code"]
    if code not in request.app[SETTINGS].languages:
        raise Problem(404, "not_found", N_("Cette langue n'est pas disponible."))
    response = redirect(safe_next(request.query.get("next")))
    set_cookie(request, response, LANGUAGE_COOKIE, code, max_age=365 * 86400)
    return response


@routes.get("/staff", name="staff_home", access=STAFF | PARTNER)
async def staff_home(request: web.Request) -> web.Response:
    """The staff home: each role sees the links it may open (a partner account, only its own pages)."""
    me = request[USER]
    links = request.app[PARTNER_LINKS] if me is not None and me.is_partner else request.app[STAFF_LINKS]
    return render(request, "staff.html", {"links": links, "me": me})


@routes.get("/qr.svg", name="qr_svg", access=PUBLIC)
async def qr_code_svg(request: web.Request) -> web.Response:
    url = public_url(request, _qr_path(request))
    return web.Response(
        text=qr_svg(url), content_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
    )


@routes.get("/qr.png", name="qr_png", access=PUBLIC)
async def qr_code_png(request: web.Request) -> web.Response:
    url = public_url(request, _qr_path(request))
    return web.Response(body=qr_png(url), content_type="image/png", headers={"Cache-Control": "public, max-age=86400"})


def _qr_path(request: web.Request) -> str:
    """Only paths of this site get a QR code: the endpoint is no open QR generator."""
    path = request.query.get("path", "")
    if not path.startswith("/") or path.startswith("//") or len(path) > 512:
        raise Problem(400, "invalid_path", N_("Indiquez un chemin de ce site, qui commence par « / »."))
    return path


@routes.get("/healthz", name="health", access=PUBLIC)
async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})
