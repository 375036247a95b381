"""The live programme, plugged into Quartier: tables, routes, commands and demo data."""

from __future__ import annotations

from aiohttp import web

from events import (
    api,
    dashboard,
    embed,
    feedback,
    feedback_store,
    feeds,
    opendata,
    pages,
    posters,
    report,
    sitemap,
    staff,
)
from events.commands import add_commands
from events.demo import demo as programme_demo
from events.demo_history import demo as history_demo
from events.schema import migrations as programme_migrations
from quartier.i18n import N_
from quartier.typedefs import STAFF_LINKS

__all__ = ["add_commands", "demo", "migrations", "setup"]

# The programme's tables, then the feedback forms' (a separate set: feedback_store.migrations).
migrations = (programme_migrations, feedback_store.migrations)


def setup(app: web.Application) -> None:
    api.routes.add_to(app)
    pages.routes.add_to(app)
    feeds.routes.add_to(app)
    staff.routes.add_to(app)
    for module in (
        posters,
        dashboard,
        opendata,
        sitemap,
        embed,
        report,
    ):  # printed programme, service-time dashboard, open data, annual report
        module.routes.add_to(app)
    app[STAFF_LINKS].append(("events_staff_posters", N_("Affiches à imprimer")))
    app[STAFF_LINKS].append(("events_dashboard", N_("Temps de service")))
    app[STAFF_LINKS].append(("events_report", N_("Rapport annuel")))
    app[STAFF_LINKS].append(("events_staff_day", N_("Programme du jour : annuler, déplacer")))
    app[STAFF_LINKS].append(("events_staff_sessions", N_("Séances")))
    app[STAFF_LINKS].append(("events_staff_sites", N_("Lieux")))
    feedback.setup(app)


async def demo(ctx: object) -> None:
    """The programme's demo, feedback answers on last week's sessions, then a year of history."""
    await programme_demo(ctx)
    await feedback_store.demo(ctx)
    await history_demo(ctx)
