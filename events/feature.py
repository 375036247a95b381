"""The live programme, plugged into Quartier: tables, routes, commands and demo data."""

from __future__ import annotations

from aiohttp import web

from quartier.i18n import N_
from quartier.typedefs import STAFF_LINKS

from events import api, pages, staff
from events.commands import add_commands
from events.demo import demo
from events.schema import migrations

__all__ = ["add_commands", "demo", "migrations", "setup"]


def setup(app: web.Application) -> None:
    api.routes.add_to(app)
    pages.routes.add_to(app)
    staff.routes.add_to(app)
    app[STAFF_LINKS].append(("events_staff_day", N_("Programme du jour : annuler, déplacer")))
    app[STAFF_LINKS].append(("events_staff_sessions", N_("Séances")))
    app[STAFF_LINKS].append(("events_staff_sites", N_("Lieux")))
