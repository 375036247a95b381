"""Jinja2 pages: autoescaped, translated, with url_for and versioned static links."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web
from markupsafe import Markup

from quartier import flash, formats, i18n
from quartier.auth import csrf_token
from quartier.qr import qr_svg
from quartier.typedefs import DEVICE, LANGUAGE, PUBLIC_LINKS, SESSION_ID, SETTINGS, TEMPLATES, USER


class Templates:
    """One Jinja2 environment over the templates of quartier and every feature package."""

    def __init__(self, packages: Iterable[str]):
        paths = [str(files(p) / "templates") for p in packages]
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(paths),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(i18n.template_globals())
        self.env.globals.update(
            url_for=url_for, static=static_url, csrf_field=csrf_field, qr_svg=_qr_markup, public_url=_public_url
        )
        self.env.globals.update(formats.template_globals())
        # Jinja's own `capitalize` lowercases the rest ("Monday 30 november"): ours, also as `ucfirst`.
        self.env.filters["capitalize"] = self.env.filters["ucfirst"] = capitalize

    def render(self, name: str, context: dict[str, Any]) -> str:
        return self.env.get_template(name).render(context)


def capitalize(value: Any) -> str:
    """The first letter up, the rest untouched: Jinja's own lowercases the rest, which writes
    "Wednesday 25 march" in English (French, lowercase already, reads the same either way)."""
    text = jinja2.filters.soft_str(value)
    return text[:1].upper() + text[1:]


@jinja2.pass_context
def url_for(context: Any, name: str, query: dict[str, Any] | None = None, **parts: Any) -> str:
    """The path of a named route, e.g. url_for('board', id=3), with an optional query."""
    request: web.Request = context["request"]
    url = request.app.router[name].url_for(**{k: str(v) for k, v in parts.items()})
    if query:
        url = url.with_query({k: v for k, v in query.items() if v is not None})
    return str(url)


@jinja2.pass_context
def static_url(context: Any, package: str, filename: str) -> str:
    """A static file's URL with its content hash, so browsers may cache it for a year."""
    request: web.Request = context["request"]
    resource = request.app.router[f"static_{package}"]
    try:
        mtime = os.stat(Path(resource.get_info()["directory"]) / filename).st_mtime_ns
    except OSError:
        mtime = 0
    return _versioned_url(resource, filename, mtime)


@functools.lru_cache(maxsize=512)
def _versioned_url(resource: Any, filename: str, mtime: int) -> str:
    # aiohttp reads and hashes the whole file on every url_for(append_version=True): a page
    # linking five files did it five times per request. The file's mtime is in the key.
    return str(resource.url_for(filename=filename, append_version=True))


@jinja2.pass_context
def csrf_field(context: Any) -> Markup:
    request: web.Request = context["request"]
    token = csrf_token(request.app[SETTINGS].secret_key, csrf_holder(request))
    return Markup('<input type="hidden" name="csrf_token" value="%s">') % token


@jinja2.pass_context
def _qr_markup(context: Any, path_or_url: str, label: str = "") -> Markup:
    """An inline SVG QR code for a path on the public base URL (or a full URL)."""
    request: web.Request = context["request"]
    return Markup(qr_svg(public_url(request, path_or_url), label=label))


@jinja2.pass_context
def _public_url(context: Any, path_or_url: str) -> str:
    return public_url(context["request"], path_or_url)


def public_url(request: web.Request, path_or_url: str) -> str:
    """An absolute URL on the configured public base URL, for paper and QR codes."""
    if path_or_url.startswith(("http://", "https://")):
        return path_or_url
    return request.app[SETTINGS].base_url.rstrip("/") + "/" + path_or_url.lstrip("/")


def csrf_holder(request: web.Request) -> str:
    """Whose form this is: the staff session when logged in, else the resident's device."""
    session = request.get(SESSION_ID)
    return f"s:{session}" if session else f"d:{request.get(DEVICE, '')}"


def content_lang(page_lang: str) -> Markup:
    """` lang="fr"` for what staff and residents typed (titles, prompts, notes, minutes) on a page in
    another language, so a screen reader reads it in French (RGAA 8.7, issue 26); nothing on a French page."""
    return Markup("") if page_lang == i18n.SOURCE_LANGUAGE else Markup(f' lang="{i18n.SOURCE_LANGUAGE}"')


def render(
    request: web.Request, name: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> web.Response:
    """Render a page with the request, the user and the language in its context."""
    ctx = {
        "request": request,
        "user": request.get(USER),
        "lang": request.get(LANGUAGE, i18n.SOURCE_LANGUAGE),
        "languages": request.app[SETTINGS].languages,
        "public_links": request.app[PUBLIC_LINKS],
        "flash": flash.pending(request),  # "Enregistré." after a staff form saved (quartier.flash)
        "content_lang": content_lang(request.get(LANGUAGE, i18n.SOURCE_LANGUAGE)),
    }
    if context:
        ctx.update(context)
    html = request.app[TEMPLATES].render(name, ctx)
    response = web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
    flash.forget(request, response)
    return response
