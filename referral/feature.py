"""The referral directory, plugged into Quartier: needs, third-party places, the orientation answer and its slip."""

from __future__ import annotations

from typing import Any

import sqlite_utils
from aiohttp import web

from events.pages import SITE_SLOT
from quartier import slots
from quartier.i18n import N_
from quartier.slots import Section
from quartier.typedefs import STAFF_LINKS
from referral import api, directory, pages, staff, staff_import
from referral.commands import add_commands
from referral.demo import demo
from referral.schema import migrations

__all__ = ["add_commands", "demo", "migrations", "setup"]


def _site_section(db: sqlite_utils.Database, context: dict[str, Any]) -> dict[str, Any]:
    """A site's page links the orientation answer from there."""
    return {"site": context["site"]}


def setup(app: web.Application) -> None:
    for module in (pages, directory, api, staff, staff_import):
        module.routes.add_to(app)
    app[STAFF_LINKS].append(("referral_staff", N_("Annuaire d'orientation : lieux, besoins, import")))
    slots.add(app, SITE_SLOT, Section("referral/_site_section.html", _site_section))
