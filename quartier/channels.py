"""The grammar of a change bus channel: a name (`programme`) or a name and a key (`board:12`).

Only the packages' `changes.py` modules build and read channels, through these two functions;
everything else asks them (`forum.changes.board_channel(12)`), and templates and JavaScript get
channel names from the server. The core reads a channel's name for one reason: who may subscribe
to it (`app[CHANNEL_ACCESS]`, keyed by name).
"""

from __future__ import annotations

import re

# A channel as /ws accepts it: a lower-case name, then optionally ":" and a key.
PATTERN = re.compile(r"^[a-z]+(:[A-Za-z0-9_.-]{1,64})?$")
# What the server sends when a client's `since` is older than the kept history: reload.
RESET = "reset"
EVERY_CHANNEL = "*"
# The core's own channel: socket revocations, read by every server process, followed by no client.
REVOCATIONS = "sockets"
# The marker a PostgreSQL restore leaves as the only change, its seq moved on (quartier.pgdump).
RESTORED = "restore"


def channel(name: str, key: int | str | None = None) -> str:
    """`name`, or `name:key`."""
    return name if key is None else f"{name}:{key}"


def parse(channel_: str) -> tuple[str, str | None]:
    """(name, key) of a channel; key None for a bare name."""
    name, _sep, key = channel_.partition(":")
    return name, (key if _sep else None)


def listed(raw: str) -> list[str]:
    """The channels of a `/ws?channels=a,b` query value, in order, empty ones dropped."""
    return [c for c in raw.split(",") if c]


def keys(channels: list[str] | tuple[str, ...], name: str) -> list[str]:
    """The keys of every channel of that name in a list (e.g. the boards of `moderation:*`)."""
    return [k for c in channels if (parsed := parse(c))[0] == name and (k := parsed[1]) is not None]
