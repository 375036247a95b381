"""Who may see and write what in commons: organizers everything, a partner account its own organisation.

A partner account (role `partner`) carries its organisation's id; every route open to it narrows
what it reads to that organisation and refuses (403) a write for another one, whatever the request
names. Other partners' drafts and figures never reach it.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from quartier.errors import Problem
from quartier.i18n import N_
from quartier.typedefs import USER


def own_organisation(request: web.Request) -> int | None:
    """The organisation of a partner account; None for organizers and facilitators."""
    user = request[USER]
    return user.organisation if user is not None and user.is_partner else None


def require_partner(request: web.Request) -> int:
    """The partner account's organisation (the route is open to partner accounts only)."""
    organisation = own_organisation(request)
    if organisation is None:
        raise Problem(403, "forbidden", N_("Accès refusé."))
    return organisation


def check_writes_for(request: web.Request, partner: dict[str, Any] | None) -> None:
    """A partner account writes only for its own organisation: anything else is 403."""
    organisation = own_organisation(request)
    if organisation is not None and (partner is None or partner["id"] != organisation):
        raise Problem(403, "other_organisation", N_("Ce compte ne peut écrire que pour sa propre organisation."))


def user_id(request: web.Request) -> int | None:
    user = request[USER]
    return user.id if user is not None else None
