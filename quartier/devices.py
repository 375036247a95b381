"""A resident's device: an id the server issued and signed, kept in a cookie, never an account.

Residents are told apart by this id (one dot budget, one feedback answer, one team per device),
so it must not be made up: the server issues `random.signature` (HMAC-SHA256 with the secret key)
and trusts only a value it can verify. A missing, unknown or badly signed cookie is no device at
all: such a request shares its network address's bucket, and gets a new id only while that
address has not had too many lately (`new_devices_per_hour_address`), so clearing cookies or
forging them buys at most that many more voices. What a device did is stored as a hash of its id.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

from aiohttp import web

from quartier.auth import same_secret
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.typedefs import DEVICE, LIMITER, SETTINGS

COOKIE = "quartier_device"
_RANDOM_BYTES = 16


@functools.lru_cache(maxsize=4096)  # the phones of a forum day: one HMAC each, not one a request
def _signature(secret: str, value: str) -> str:
    mac = hmac.new(secret.encode(), f"device:{value}".encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def issue(secret: str) -> str:
    """A new device id: random, then its signature."""
    value = secrets.token_urlsafe(_RANDOM_BYTES)
    return f"{value}.{_signature(secret, value)}"


def verify(secret: str, cookie: str | None) -> str | None:
    """The device id if the server issued it, else None (a forged or foreign value is no device)."""
    if not cookie or len(cookie) > 80 or cookie.count(".") != 1:
        return None
    value, signature = cookie.split(".")
    if not value or not same_secret(_signature(secret, value), signature):
        return None
    return cookie


async def may_issue(request: web.Request) -> bool:
    """Whether this request's network address may get one more new device id now."""
    per_hour = request.app[SETTINGS].new_devices_per_hour_address
    wait = await request.app[LIMITER].hit(
        f"device-issue:{request.remote}", per_minute=per_hour / 60, burst=max(1, per_hour // 2)
    )
    return wait is None


def require(request: web.Request) -> str:
    """The request's device id, for what a device may do once (vote, answer, join); 429 when the
    network gave out too many new ids lately and this browser has none."""
    device = request[DEVICE]
    if not device:
        raise Problem(
            429,
            "too_many_devices",
            N_("Beaucoup de nouveaux appareils sur ce réseau : réessayez dans une minute."),
            headers={"Retry-After": "60"},
        )
    return device
