"""Screen power on the snapshot's schedule: the way found at start (displays.power), then on and off.

The snapshot says when the screen is lit (`power`: always_on, or `on` intervals: the site's
opening hours widened by the screen's margin); the agent looks again at each new snapshot and
every `power_every` seconds. A switch that fails is retried after the Switch's quiet delay.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

from displays import power
from displays.config import AgentConfig

log = logging.getLogger("displays")

Clock = Callable[[], dt.datetime]


def is_on(plan: dict[str, Any] | None, at: dt.datetime) -> bool:
    """Should the screen be lit (the snapshot's `power`: always_on, or within one of its `on` intervals)?"""
    if not plan or plan.get("always_on", True):
        return True
    try:
        return any(dt.datetime.fromisoformat(a) <= at < dt.datetime.fromisoformat(b) for a, b in plan.get("on", []))
    except (TypeError, ValueError):
        return True  # an unreadable schedule must never darken a screen


class PowerSchedule:
    """The power task; the Agent holds the snapshot and the clock."""

    config: AgentConfig
    clock: Clock
    power_state: bool | None
    power_method: power.Method | None
    power_due: asyncio.Event

    @property
    def snapshot(self) -> dict[str, Any] | None:
        raise NotImplementedError  # the Agent's

    def apply_power_soon(self) -> None:
        self.power_due.set()

    async def power_loop(self) -> None:
        """Find how this screen is switched off (said once), then follow the snapshot's schedule."""
        method = await power.choose(self.config.power, self.config.power_on, self.config.power_off)
        self.power_method = method
        log.warning("%s", method.sentence())
        switch = power.Switch(method)
        failed_at = None
        while True:
            snapshot = self.snapshot
            if snapshot:
                want = is_on(snapshot.get("power"), self.clock())
                retry_due = failed_at is None or time.monotonic() - failed_at > switch.retry_after()
                if want != self.power_state and retry_due:
                    if await switch.set(want):
                        self.power_state, failed_at = want, None
                    else:
                        failed_at = time.monotonic()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.power_due.wait(), self.config.power_every)
            self.power_due.clear()
