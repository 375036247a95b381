"""Typed keys for everything the application and a request carry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    pass

SETTINGS = web.AppKey("settings", "Settings")
DB = web.AppKey("db", "Database")
BUS = web.AppKey("bus", "Bus")
TEMPLATES = web.AppKey("templates", "Templates")
LIMITER = web.AppKey("limiter", "RateLimiter")
# Route name -> who may call it; filled by quartier.routing.Routes.add_to.
ACCESS = web.AppKey("access", "dict[str, Access]")
# Channel prefix ("board", "display", ...) -> who may subscribe; public when absent.
CHANNEL_ACCESS = web.AppKey("channel_access", "dict[str, Access]")
# Rendered public pages, forgotten when the bus publishes on their channels.
PAGE_CACHE = web.AppKey("page_cache", "PageCache")
WEBSOCKETS = web.AppKey("websockets", "set[web.WebSocketResponse]")
# Links shown on the staff home page: (route name, label), added by each feature.
STAFF_LINKS = web.AppKey("staff_links", "list[tuple[str, str]]")
# The same for a partner organisation's account (role `partner`): what it may open.
PARTNER_LINKS = web.AppKey("partner_links", "list[tuple[str, str]]")
# Slot name -> sections a higher package shows on a lower package's page (quartier.slots).
SLOTS = web.AppKey("slots", "dict[str, list[Section]]")

USER = web.RequestKey("user", "User | None")
DEVICE = web.RequestKey("device", str)
NEW_DEVICE = web.RequestKey("new_device", bool)
LANGUAGE = web.RequestKey("language", str)
SESSION_ID = web.RequestKey("session_id", "str | None")
