"""What reports records on the bus: its own staff channel, and the types it adds to the forum's channels."""

from __future__ import annotations

FEEDBACK = "feedback"  # staff: new, changed and hidden answers
COUNTS = "counts"  # staff: attendance recorded for an occurrence (how many came, or not held)
MEETINGS = "meetings"  # public: a partners' meeting changed (its id and state only; readers fetch it)

FEEDBACK_HIDDEN = "feedback.hidden"
FEEDBACK_SHOWN = "feedback.shown"
ATTENDANCE = "attendance"  # on moderation:{id}: the console's count of people present
MINUTES_PUBLISHED = "minutes.published"  # on board:{id} and site:{slug}
ATTENDANCE_RECORDED = "attendance.recorded"  # on counts
MEETING_UPDATED = "meeting.updated"  # on meetings
ACTION_UPDATED = "action.updated"  # on board:{id}: an action marked done or open again


def feedback_answered(status: str) -> str:
    """`feedback.created` or `feedback.updated`."""
    return f"feedback.{status}"
