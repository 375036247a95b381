"""The request pipeline every page and API call goes through.

forwarded_middleware -> behind a trusted reverse proxy, the visitor's own address and scheme
error_middleware  -> picks the language, turns every failure into a page or JSON
                     in that language; never a stack trace to a client
identity_middleware -> the resident's device cookie, the staff user (session or token)
access_middleware -> the route's declared Access (quartier.routing)
csrf_middleware   -> unsafe requests carry a CSRF token, a bearer token or JSON
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from quartier import auth, devices, i18n
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.routing import access_of
from quartier.templates import csrf_holder, render
from quartier.typedefs import DB, DEVICE, LANGUAGE, NEW_DEVICE, SESSION_ID, SETTINGS, USER

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

DEVICE_COOKIE = devices.COOKIE
STAFF_COOKIE = "quartier_staff"
LANGUAGE_COOKIE = "quartier_lang"

STATUS_MESSAGES = {
    400: N_("La demande est invalide."),
    401: N_("Connectez-vous pour continuer."),
    403: N_("Accès refusé."),
    404: N_("Cette page n'existe pas."),
    405: N_("Cette action n'est pas possible ici."),
    409: N_("Cette action entre en conflit avec l'état actuel."),
    413: N_("L'envoi est trop volumineux."),
    415: N_("Ce format n'est pas accepté."),
    422: N_("Certaines informations sont invalides."),
    429: N_("Trop de demandes : réessayez dans un instant."),
    503: N_("Le serveur est très occupé : réessayez dans quelques secondes. Rien n'a été enregistré."),
    500: N_("Une erreur interne est survenue ; l'équipe peut la retrouver dans le journal."),
}
STATUS_CODES = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "internal",
    503: "busy",
}


def wants_json(request: web.Request) -> bool:
    return request.path.startswith("/api/") or request.path == "/ws"


def error_response(
    request: web.Request, status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    """The one place errors are shown: JSON under /api, an HTML page elsewhere."""
    if wants_json(request):
        body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False)
        response = web.Response(text=body, status=status, content_type="application/json")
    else:
        response = render(request, "error.html", {"status": status, "message": message}, status=status)
    for k, v in (headers or {}).items():
        response.headers[k] = v
    return response


@web.middleware
async def forwarded_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A request relayed by a proxy named in `trusted_proxies` is the visitor's: its address is the
    last hop of X-Forwarded-For (the one the proxy added: earlier ones are the visitor's to forge)
    and its scheme X-Forwarded-Proto, so per-address limits and logs see residents, not the proxy.
    From anyone else, the headers are ignored."""
    proxy = request.remote
    if proxy is None or proxy not in request.app[SETTINGS].trusted_proxies:
        return await handler(request)
    remote, scheme = proxy, request.scheme
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    if hops:
        with contextlib.suppress(ValueError):
            remote = str(ipaddress.ip_address(hops[-1]))
    proto = request.headers.get("X-Forwarded-Proto", "").strip().lower()
    if proto in ("http", "https"):
        scheme = proto
    return await handler(request.clone(remote=remote, scheme=scheme))


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    language = choose_language(request)
    request[LANGUAGE] = language
    token = i18n.current_language.set(language)
    try:
        return await handler(request)
    except Problem as p:
        message = _(p.message).format(**p.params) if p.params else _(p.message)
        return error_response(request, p.status, p.code, message, p.headers)
    except web.HTTPException as e:
        if e.status < 400:
            raise
        message = _(STATUS_MESSAGES.get(e.status, STATUS_MESSAGES[400]))
        headers = {k: v for k, v in e.headers.items() if k in ("Retry-After", "Allow", "WWW-Authenticate")}
        return error_response(request, e.status, STATUS_CODES.get(e.status, "error"), message, headers)
    except sqlite3.OperationalError as e:
        if not busy(e):
            log.exception("unhandled error on %s %s", request.method, request.path)
            return error_response(request, 500, "internal", _(STATUS_MESSAGES[500]))
        log.warning("database busy on %s %s: %s", request.method, request.path, e)
        return error_response(request, 503, "busy", _(STATUS_MESSAGES[503]), {"Retry-After": "2"})
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(request, 500, "internal", _(STATUS_MESSAGES[500]))
    finally:
        i18n.current_language.reset(token)


def busy(error: sqlite3.OperationalError) -> bool:
    """The database stayed locked by another process past the busy timeout, or (PostgreSQL) the
    server could not be reached: nothing was recorded, and the same request a moment later will do."""
    return any(word in str(error) for word in ("locked", "busy", "unavailable"))


def choose_language(request: web.Request) -> str:
    available = request.app[SETTINGS].languages
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in available:
        return chosen
    return i18n.negotiate(request.headers.get("Accept-Language"), available)


@web.middleware
async def identity_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    secret = request.app[SETTINGS].secret_key
    device = devices.verify(secret, request.cookies.get(DEVICE_COOKIE))
    request[NEW_DEVICE] = device is None
    if device is None and not request.path.startswith("/static/") and await devices.may_issue(request):
        device = devices.issue(secret)
    request[DEVICE] = device or ""  # "": no device (too many new ones from this address lately)
    db = request.app[DB]
    user = None
    session = None
    bearer = bearer_token(request)
    if bearer and bearer.startswith("qt_"):
        user = await auth.user_for_token(db, bearer)
    elif cookie := request.cookies.get(STAFF_COOKIE):
        user = await auth.user_for_session(db, cookie)
        session = cookie if user else None
    request[USER] = user
    request[SESSION_ID] = session
    response = await handler(request)
    if request[NEW_DEVICE] and request[DEVICE] and not response.prepared:
        set_cookie(request, response, DEVICE_COOKIE, request[DEVICE], max_age=400 * 86400)
    return response


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


@web.middleware
async def unrouted_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A request no route takes gets its 404, or its 405 with Allow, before access and CSRF judge it
    (a PATCH to a GET-only path is a 405, not a 401 nor a 415)."""
    if request.match_info.http_exception is not None:
        raise request.match_info.http_exception
    return await handler(request)


@web.middleware
async def access_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    access = access_of(request)
    if access is None or access.public:
        return await handler(request)
    user = request[USER]
    if user and access.roles and user.role in access.roles:
        return await handler(request)
    if access.check and await access.check(request):
        return await handler(request)
    if user is None:
        if request.method == "GET" and not wants_json(request):
            login = request.app.router["login"].url_for().with_query(next=request.path_qs)
            raise web.HTTPSeeOther(login)
        raise Problem(401, "unauthorized", STATUS_MESSAGES[401], headers={"WWW-Authenticate": "Bearer"})
    raise Problem(403, "forbidden", STATUS_MESSAGES[403])


UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Forms carry a token; JSON and bearer calls cannot be forged by another site's form."""
    if request.method not in UNSAFE:
        return await handler(request)
    origin = request.headers.get("Origin")
    if origin and origin != "null" and origin != f"{request.scheme}://{request.host}":
        base = request.app[SETTINGS].base_url.rstrip("/")
        if origin != base:
            raise Problem(403, "csrf", N_("Cette demande vient d'un autre site ; elle est refusée."))
    if bearer_token(request) or request.content_type == "application/json":
        return await handler(request)
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        token = form.get("csrf_token")
        if isinstance(token, str) and auth.csrf_ok(request.app[SETTINGS].secret_key, csrf_holder(request), token):
            return await handler(request)
        raise Problem(403, "csrf", N_("Le formulaire a expiré : rechargez la page et recommencez."))
    raise Problem(415, "unsupported_media_type", N_("Envoyez un formulaire ou du JSON (application/json)."))


CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


FOREVER = "public, max-age=31536000, immutable"  # for what is named by its content


async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
    """Security headers on every response, static files included."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if "frame-ancestors 'none'" in headers["Content-Security-Policy"]:
        # Only a route that states its own frame-ancestors (the embeddable programme) may be framed.
        headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.app[SETTINGS].base_url.startswith("https://"):
        headers.setdefault("Strict-Transport-Security", "max-age=63072000")  # browsers keep to HTTPS here
    if request.path.startswith("/static/") and "v" in request.query:
        headers["Cache-Control"] = FOREVER
    elif "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store" if request.get(USER) else "no-cache"


def without_cookies(request: web.Request) -> None:
    """This answer sets no cookie (a widget inside a partner's page must not track its visitors)."""
    request[NEW_DEVICE] = False


def set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str, **kw: Any) -> None:
    response.set_cookie(
        name, value, httponly=True, samesite="Lax", secure=request.app[SETTINGS].secure_cookies, path="/", **kw
    )


def hashed_asset(row: Any) -> web.Response:
    """A stored file named by its content hash (a logo, an announcement's image): it never changes
    under that name, so browsers, print previews and kiosks cache it for a year; 404 when absent."""
    if row is None:
        raise Problem(404, "not_found", N_("Cette page n'existe pas."))
    return web.Response(body=row["data"], content_type=row["content_type"], headers={"Cache-Control": FOREVER})


def redirect(location: str) -> web.Response:
    """303 See Other: the answer to a form POST, so a reload never posts twice."""
    return web.Response(status=303, headers={"Location": str(location)})


def safe_next(target: str | None, default: str = "/") -> str:
    """A redirect target on this site only: a path, checked as the browser will read it (after
    decoding, and without the tabs and newlines browsers drop), so `/%09/elsewhere.example` or
    `/%0a/...` never leads to another host nor breaks the answer's headers."""
    if not target or len(target) > 2000:
        return default
    for seen in (target, unquote(target)):
        if not seen.startswith("/") or seen.startswith("//") or "\\" in seen:
            return default
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in seen):
            return default
    return target
