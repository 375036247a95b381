"""The lobby screens' channel and change types: the one place that names them.

A screen follows `display:{id}` (its own settings, announcements, pairing: display token only) and
the source channels of what it shows, listed in its snapshot (`channels`): the programme, its site,
the boards running there.
"""

from __future__ import annotations

from quartier.channels import channel, keys

DISPLAY = "display"

DISPLAY_CLAIMED = "display.claimed"
DISPLAY_PAIRED = "display.paired"
DISPLAY_UPDATED = "display.updated"
DISPLAY_REVOKED = "display.revoked"
ANNOUNCEMENTS_CHANGED = "snapshot.stale"  # an announcement it shows was added, changed or removed


def display_channel(display_id: int | str) -> str:
    return channel(DISPLAY, display_id)


def displays_asked(channels: list[str]) -> list[str]:
    """The display ids (as given) of the display channels asked for on /ws."""
    return keys(channels, DISPLAY)
