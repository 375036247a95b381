"""Typed keys for everything the application and a request carry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from collections import Counter

    from quartier.auth import User
    from quartier.bus import Bus
    from quartier.clock import Clock
    from quartier.db import Database
    from quartier.pagecache import PageCache
    from quartier.ratelimit import RateLimiter
    from quartier.routing import Access
    from quartier.settings import Settings
    from quartier.slots import Section
    from quartier.templates import Templates
    from quartier.ws import Grant

# The annotations give each key its type for mypy; at run time a key is its name (the classes
# would import the whole core into this module).
SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
DB: web.AppKey[Database] = web.AppKey("db")
BUS: web.AppKey[Bus] = web.AppKey("bus")
TEMPLATES: web.AppKey[Templates] = web.AppKey("templates")
LIMITER: web.AppKey[RateLimiter] = web.AppKey("limiter")
# Route name -> who may call it; filled by quartier.routing.Routes.add_to.
ACCESS: web.AppKey[dict[str, Access]] = web.AppKey("access")
# Channel name ("moderation", "display", ...) -> who may subscribe; public when absent.
CHANNEL_ACCESS: web.AppKey[dict[str, Access]] = web.AppKey("channel_access")
# Rendered public pages, forgotten when the bus publishes on their channels.
PAGE_CACHE: web.AppKey[PageCache] = web.AppKey("page_cache")
# Open sockets and what let each in (so a logout, a new facilitator link or a revoked screen closes them).
WEBSOCKETS: web.AppKey[dict[web.WebSocketResponse, Grant]] = web.AppKey("websockets")
# Open sockets per network address (bounded by the setting websockets_per_address).
SOCKETS_PER_ADDRESS: web.AppKey[Counter[str]] = web.AppKey("sockets_per_address")
# Links shown on the staff home page: (route name, label), added by each feature.
STAFF_LINKS: web.AppKey[list[tuple[str, str]]] = web.AppKey("staff_links")
# Links in every public page's header: (route name, label), added by a feature (the forum's code form).
PUBLIC_LINKS: web.AppKey[list[tuple[str, str]]] = web.AppKey("public_links")
# The same for a partner organisation's account (role `partner`): what it may open.
PARTNER_LINKS: web.AppKey[list[tuple[str, str]]] = web.AppKey("partner_links")
# Slot name -> sections a higher package shows on a lower package's page (quartier.slots).
SLOTS: web.AppKey[dict[str, list[Section]]] = web.AppKey("slots")
# Now, in the sites' timezone (quartier.clock); tests fix it.
CLOCK: web.AppKey[Clock] = web.AppKey("clock")

USER: web.RequestKey[User | None] = web.RequestKey("user")
DEVICE = web.RequestKey("device", str)
NEW_DEVICE = web.RequestKey("new_device", bool)
LANGUAGE = web.RequestKey("language", str)
SESSION_ID: web.RequestKey[str | None] = web.RequestKey("session_id")
# A WebSocket handshake from another site: its cookies open nothing (tokens and keys still do).
COOKIES_UNTRUSTED = web.RequestKey("cookies_untrusted", bool)
