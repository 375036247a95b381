"""The live programme, plugged into Quartier: tables, routes, commands and demo data."""

from __future__ import annotations

from aiohttp import web

from quartier.i18n import N_
from quartier.typedefs import STAFF_LINKS

from events import api
from events.schema import migrations

__all__ = ["migrations", "setup"]


def setup(app: web.Application) -> None:
    api.routes.add_to(app)
