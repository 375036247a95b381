"""Conditional GET for feeds and exports: ETag, Last-Modified and 304.

Calendar apps poll their subscriptions every few minutes and feed readers every hour; a 304
costs them and us nothing. The ETag is a hash of the body itself, so it changes exactly when
what a client would read does (another language, another day, another programme), and
Last-Modified is the time of the data's last change as the caller knows it.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib

from aiohttp import web


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:24] + '"'


def _matches(header: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


def _not_modified_since(header: str, last_modified: float) -> bool:
    try:
        since = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        return False
    return int(last_modified) <= since.timestamp()


def conditional(
    request: web.Request,
    body: bytes,
    content_type: str,
    *,
    last_modified: float | None = None,
    max_age: int = 300,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """A 200 with validators, or a 304 when the client's copy is current (If-None-Match wins, RFC 9110)."""
    etag = etag_of(body)
    out = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}", "Vary": "Accept-Language, Cookie"}
    if last_modified is not None:
        out["Last-Modified"] = email.utils.format_datetime(dt.datetime.fromtimestamp(int(last_modified), dt.UTC), True)
    out.update(headers or {})
    inm = request.headers.get("If-None-Match")
    ims = request.headers.get("If-Modified-Since")
    if inm is not None:
        fresh = _matches(inm, etag)
    else:
        fresh = ims is not None and last_modified is not None and _not_modified_since(ims, last_modified)
    if fresh:
        return web.Response(status=304, headers=out)
    return web.Response(body=body, content_type=content_type, charset="utf-8", headers=out)
