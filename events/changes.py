"""The programme's channels and change types: the one place that names them.

Every change to the programme goes out on `programme` (every site's pages, every screen's
"elsewhere in the city") and on `site:{slug}` for each site it touches. Registrations go out on
`session:{id}` only (the session page and the desk): they change nothing a lobby screen shows.
"""

from __future__ import annotations

from quartier.channels import channel

PROGRAMME = "programme"
SITE = "site"
SESSION = "session"

SITE_CREATED = "site.created"
SITE_UPDATED = "site.updated"
SITE_DELETED = "site.deleted"
SESSION_CREATED = "session.created"
SESSION_UPDATED = "session.updated"
SESSION_DELETED = "session.deleted"
OCCURRENCE_RESTORED = "occurrence.restored"
REGISTRATION_UPDATED = "registration.updated"


def occurrence_changed(status: str) -> str:
    """`occurrence.cancelled`, `occurrence.moved` or `occurrence.full`."""
    return f"occurrence.{status}"


def site_channel(slug: str) -> str:
    return channel(SITE, slug)


def session_channel(session_id: int | str) -> str:
    """A session's own channel: its places left and waiting list (counts only)."""
    return channel(SESSION, session_id)


def page_channels(site: str | None = None) -> str:
    """What a programme page follows: one site's channel, or the whole programme's."""
    return site_channel(site) if site else PROGRAMME
