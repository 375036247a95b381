"""The live programme, plugged into Quartier: tables, routes, commands and demo data."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import sqlite_utils
from aiohttp import web

from events import (
    api,
    catalogue_api,
    catalogue_pages,
    embed,
    feeds,
    logos,
    opendata,
    pages,
    posters,
    queries,
    registration_pages,
    sitemap,
    staff,
)
from events.commands import add_commands
from events.demo import demo as programme_demo
from events.demo_catalogue import demo as catalogue_demo
from events.demo_history import demo as history_demo
from events.registrations import erase_forever
from events.schema import migrations
from quartier.i18n import N_
from quartier.typedefs import DB, SETTINGS, STAFF_LINKS

__all__ = ["add_commands", "demo", "migrations", "organisation_id", "setup"]


def setup(app: web.Application) -> None:
    # pages, feeds (iCal, Atom), staff, printed programme, open data, sitemap, the embeddable widget, logos,
    # registrations
    for module in (
        api,
        pages,
        feeds,
        staff,
        posters,
        opendata,
        sitemap,
        embed,
        logos,
        registration_pages,
        catalogue_pages,
        catalogue_api,
    ):
        module.routes.add_to(app)
    app[STAFF_LINKS].append(("events_staff_posters", N_("Affiches à imprimer")))
    app[STAFF_LINKS].append(("events_staff_day", N_("Programme du jour : annuler, déplacer")))
    app[STAFF_LINKS].append(("events_staff_sessions", N_("Séances")))
    app[STAFF_LINKS].append(("events_staff_sites", N_("Lieux")))
    app[STAFF_LINKS].append(("registrations_staff", N_("Inscriptions aux séances")))
    app[STAFF_LINKS].append(("events_catalogue", N_("Catalogue des ateliers et formations")))
    app.cleanup_ctx.append(_erasure)


async def _erasure(app: web.Application) -> AsyncIterator[None]:
    """Registrations' personal data go the day after their session: checked at start-up, then hourly."""
    task = asyncio.create_task(erase_forever(app[DB], app[SETTINGS].tz))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def organisation_id(db: sqlite_utils.Database, key: str) -> int | None:
    """A partner account's organisation: the partner a key, name or short name designates."""
    return queries.partner_id(db, key)


async def demo(ctx: object) -> None:
    """The programme's demo week, then a year of history (past forum days, closures, cancellations)."""
    await programme_demo(ctx)
    await history_demo(ctx)
    await catalogue_demo(ctx)
