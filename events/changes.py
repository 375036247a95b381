"""The programme's channels and change types: the one place that names them.

Every change to the programme goes out on `programme` (every site's pages, every screen's
"elsewhere in the city") and on `site:{slug}` for each site it touches.
"""

from __future__ import annotations

from quartier.channels import channel

PROGRAMME = "programme"
SITE = "site"

SITE_CREATED = "site.created"
SITE_UPDATED = "site.updated"
SITE_DELETED = "site.deleted"
SESSION_CREATED = "session.created"
SESSION_UPDATED = "session.updated"
SESSION_DELETED = "session.deleted"
OCCURRENCE_RESTORED = "occurrence.restored"


def occurrence_changed(status: str) -> str:
    """`occurrence.cancelled`, `occurrence.moved` or `occurrence.full`."""
    return f"occurrence.{status}"


def site_channel(slug: str) -> str:
    return channel(SITE, slug)


def page_channels(site: str | None = None) -> str:
    """What a programme page follows: one site's channel, or the whole programme's."""
    return site_channel(site) if site else PROGRAMME
