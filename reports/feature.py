"""What the programme learns, plugged into Quartier: feedback forms and results, forum minutes and
decision records, the service-time dashboard, the annual report; their commands and demo data."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from quartier.i18n import N_
from quartier.routing import STAFF
from quartier.typedefs import CHANNEL_ACCESS, DB, SETTINGS, STAFF_LINKS
from reports import (
    activity_export,
    api,
    api_meetings,
    attendance,
    attendance_api,
    attendance_store,
    changes,
    dashboard,
    dashboard_store,
    feedback,
    feedback_results,
    feedback_store,
    meetings_schema,
    minutes_store,
    report_views,
    sections,
    views_city_minutes,
    views_decisions,
    views_meetings,
    views_minutes,
)
from reports.commands import add_commands
from reports.demo import demo

__all__ = ["add_commands", "demo", "migrations", "setup"]

# The feedback answers' tables, then the minutes' (their names predate the reports package), then
# the dashboard's baseline week, attendance, and the partners' meetings.
migrations = (
    feedback_store.migrations,
    minutes_store.migrations,
    dashboard_store.migrations,
    attendance_store.migrations,
    meetings_schema.migrations,
)


def setup(app: web.Application) -> None:
    feedback.setup(app)
    modules = (feedback_results, dashboard, report_views, views_minutes, views_decisions, api, api_meetings)
    for module in (*modules, attendance, attendance_api, activity_export):
        module.routes.add_to(app)
    sections.setup(app)
    app[CHANNEL_ACCESS][changes.COUNTS] = STAFF  # counts recorded: staff pages only
    app[STAFF_LINKS].append(("reports_attendance", N_("Fréquentation")))
    app[STAFF_LINKS].append(("events_dashboard", N_("Temps de service")))
    app[STAFF_LINKS].append(("events_report", N_("Rapport annuel")))
    views_meetings.routes.add_to(app)
    views_city_minutes.routes.add_to(app)
    app[STAFF_LINKS].append(("forum_decisions", N_("Relevé de décisions")))
    app[STAFF_LINKS].append(("reports_meetings", N_("Réunions des partenaires")))
    app.cleanup_ctx.append(_retention)


async def _retention(app: web.Application) -> AsyncIterator[None]:
    """Purge raw notes past the retention time: at start-up, then every six hours."""
    days = app[SETTINGS].notes_retention_days
    task = asyncio.create_task(minutes_store.run_retention_forever(app[DB], days)) if days > 0 else None
    try:
        yield
    finally:
        if task:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
