"""What the programme learns, for the packages above (signage): feedback paths and results,
published minutes. Each read takes a sqlite_utils.Database, to call inside `db.read`."""

from __future__ import annotations

from reports.feedback_figures import feedback_summary
from reports.feedback_store import board_feedback_path, feedback_path
from reports.minutes_store import published_list as published_minutes

__all__ = ["board_feedback_path", "feedback_path", "feedback_summary", "published_minutes"]
