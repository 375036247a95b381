"""The forum, plugged into Quartier: boards, notes and moderation, the tablet, phone, wall and console
pages, dot votes, the word cloud and hackathons."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from forum import (
    access,
    api,
    api_forums,
    api_hackathons,
    changes,
    console,
    resident,
    sections,
    staff,
    trash,
    views_forums,
    views_hackathon,
    views_polls,
    views_votes,
    views_wordcloud,
    wall,
)
from forum.demo import demo
from forum.schema import migrations
from quartier.i18n import N_
from quartier.typedefs import CHANNEL_ACCESS, DB, PUBLIC_LINKS, STAFF_LINKS

__all__ = ["demo", "migrations", "setup"]


def setup(app: web.Application) -> None:
    modules = (api, api_forums, api_hackathons, resident, wall, console, staff, views_votes, views_wordcloud)
    for module in (*modules, views_forums, views_polls, views_hackathon):
        module.routes.add_to(app)
    # Pending notes travel only on moderation:{id}: staff, or the board's facilitator link.
    app[CHANNEL_ACCESS][changes.MODERATION] = access.CHANNEL_FACILITATOR
    app[STAFF_LINKS].append(("forum_boards", N_("Forums de quartier")))
    app[STAFF_LINKS].append(("forum_forums", N_("Forums dans toute la ville")))
    # Residents find the forum: its code form in every page's header, how to join on the programme's pages.
    app[PUBLIC_LINKS].append(("forum_join", N_("Forum : entrer un code")))
    sections.setup(app)
    app[STAFF_LINKS].append(("hack_list", N_("Hackathons")))
    app.cleanup_ctx.append(_purge_deleted_notes)


async def _purge_deleted_notes(app: web.Application) -> AsyncIterator[None]:
    """Deleted notes kept for the console's undo are forgotten soon after their window."""
    task = asyncio.create_task(trash.purge_forever(app[DB]))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
