"""The forum's channels and change types: the one place that names them.

- `board:{id}`, public: what the wall, the phones and the screens show. Pending notes never go there.
- `moderation:{id}`, staff and the board's facilitator link: every note's full state.
- `hackathon:{id}`, public: its teams or pitch schedule changed (the pitch screen refetches itself).
- `forum:{id}`, public: a forum across sites opened, changed or closed, its city-wide vote rounds.
  Its notes travel on the boards' channels, which the city-wide wall follows too.
"""

from __future__ import annotations

from quartier.channels import channel, keys

BOARD = "board"
MODERATION = "moderation"
HACKATHON = "hackathon"
FORUM = "forum"

# board:{id}
NOTE_PUBLISHED = "note.published"  # a note to show, or its new state
NOTE_REMOVED = "note.removed"  # hidden, merged away, deleted or purged
BOARD_UPDATED = "board.updated"
ROUND_OPENED = "round.opened"
ROUND_CLOSED = "round.closed"
VOTE_CAST = "vote.cast"
VOTES_UPDATED = "votes.updated"
POLL_OPENED = "poll.opened"
POLL_ANSWERED = "poll.answered"  # how many answered, never what (until revealed)
POLL_REVEALED = "poll.revealed"
POLL_CLOSED = "poll.closed"
# moderation:{id}
NOTE = "note"  # a note's full state, whatever its status
NOTE_DELETED = "note.deleted"
# hackathon:{id}
PITCHES_CHANGED = "pitches.changed"

# forum:{id}
FORUM_UPDATED = "forum.updated"
CITY_ROUND_OPENED = "city_round.opened"
CITY_ROUND_CLOSED = "city_round.closed"


def board_channel(board_id: int | str) -> str:
    return channel(BOARD, board_id)


def forum_channel(forum_id: int | str) -> str:
    return channel(FORUM, forum_id)


def moderation_channel(board_id: int | str) -> str:
    return channel(MODERATION, board_id)


def hackathon_channel(hackathon_id: int | str) -> str:
    return channel(HACKATHON, hackathon_id)


def moderated_boards(channels: list[str]) -> list[str]:
    """The board ids (as given) of the moderation channels asked for on /ws."""
    return keys(channels, MODERATION)
