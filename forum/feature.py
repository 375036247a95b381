"""The forum feature: boards, notes and moderation, the tablet, phone, wall and console pages."""

from __future__ import annotations

from aiohttp import web

from forum import views, views_hackathon, views_votes
from forum.demo import demo
from forum.store import migrations
from quartier.i18n import N_
from quartier.typedefs import CHANNEL_ACCESS, STAFF_LINKS

__all__ = ["migrations", "setup", "demo"]


def setup(app: web.Application) -> None:
    views.routes.add_to(app)
    views_votes.routes.add_to(app)
    views_hackathon.routes.add_to(app)
    # Pending notes travel only on moderation:{id}: staff, or the board's facilitator link.
    app[CHANNEL_ACCESS]["moderation"] = views.CHANNEL_FACILITATOR
    app[STAFF_LINKS].append(("forum_boards", N_("Forums de quartier")))
    app[STAFF_LINKS].append(("hack_list", N_("Hackathons")))
