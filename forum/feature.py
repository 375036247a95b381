"""The forum, plugged into Quartier: boards, notes and moderation, the tablet, phone, wall and console
pages, dot votes, the word cloud and hackathons."""

from __future__ import annotations

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
    views_forums,
    views_hackathon,
    views_polls,
    views_votes,
    wall,
)
from forum.demo import demo
from forum.schema import migrations
from quartier.i18n import N_
from quartier.typedefs import CHANNEL_ACCESS, PUBLIC_LINKS, STAFF_LINKS

__all__ = ["demo", "migrations", "setup"]


def setup(app: web.Application) -> None:
    modules = (api, api_forums, api_hackathons, resident, wall, console, staff, views_votes, views_forums, views_polls)
    for module in (*modules, views_hackathon):
        module.routes.add_to(app)
    # Pending notes travel only on moderation:{id}: staff, or the board's facilitator link.
    app[CHANNEL_ACCESS][changes.MODERATION] = access.CHANNEL_FACILITATOR
    app[STAFF_LINKS].append(("forum_boards", N_("Forums de quartier")))
    app[STAFF_LINKS].append(("forum_forums", N_("Forums dans toute la ville")))
    # Residents find the forum: its code form in every page's header, how to join on the programme's pages.
    app[PUBLIC_LINKS].append(("forum_join", N_("Forum : entrer un code")))
    sections.setup(app)
    app[STAFF_LINKS].append(("hack_list", N_("Hackathons")))
