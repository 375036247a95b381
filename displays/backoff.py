"""Jittered exponential backoff, for every retry of the agent."""

from __future__ import annotations

import random


class Backoff:
    """ "Equal jitter": each wait is between half and all of the current step, which doubles from
    `start` up to `cap`, so a hundred screens coming back after an outage do not all knock at the
    same second."""

    def __init__(self, start: float, cap: float):
        self.start, self.cap, self.step = start, cap, start

    def next(self) -> float:
        wait = self.step / 2 + random.random() * self.step / 2
        self.step = min(self.step * 2, self.cap)
        return wait

    def reset(self) -> None:
        self.step = self.start
