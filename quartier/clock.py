"""The application's clock: now in the sites' timezone, or the moment a test fixed.

Pages whose answer depends on the hour (what is open now, this week's sessions) read
`app[CLOCK].now()`; tests set `app[CLOCK].fixed` instead of depending on the time of day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo


@dataclass
class Clock:
    tz: ZoneInfo
    fixed: dt.datetime | None = None

    def now(self) -> dt.datetime:
        return self.fixed.astimezone(self.tz) if self.fixed else dt.datetime.now(self.tz)
