"""In-memory token buckets, keyed by whatever identifies the caller (device, board, account)."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass

from quartier.errors import Problem
from quartier.i18n import N_

# A limit: (bucket key, per minute, burst).
Limit = tuple[str, float, int]


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """`hit(key, rate, burst)` spends one token; it returns the seconds to wait when there is none."""

    def __init__(self, max_keys: int = 100_000):
        self._buckets: dict[str, _Bucket] = {}
        self._max_keys = max_keys

    def hit(self, key: str, *, per_minute: float, burst: int, now: float | None = None) -> int | None:
        now = time.monotonic() if now is None else now
        rate = per_minute / 60.0
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._max_keys:
                self._forget_full(now, rate, burst)
            bucket = self._buckets[key] = _Bucket(float(burst), now)
        else:
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return None
        return max(1, math.ceil((1 - bucket.tokens) / rate))

    def enforce(
        self, limits: Iterable[Limit], message: str = N_("Trop de demandes : réessayez dans un instant.")
    ) -> None:
        """Spend a token in each bucket; the first empty one ends the request with a 429.

        The answer carries Retry-After and `message` (a msgid that may use {seconds}).
        """
        for key, per_minute, burst in limits:
            wait = self.hit(key, per_minute=per_minute, burst=burst)
            if wait:
                raise Problem(429, "rate_limited", message, headers={"Retry-After": str(wait)}, seconds=wait)

    def reset(self, key: str) -> None:
        self._buckets.pop(key, None)

    def _forget_full(self, now: float, rate: float, burst: int) -> None:
        """Drop buckets that have refilled: they hold nothing worth remembering."""
        for key, bucket in list(self._buckets.items()):
            if bucket.tokens + (now - bucket.updated) * rate >= burst:
                del self._buckets[key]
        if len(self._buckets) >= self._max_keys:  # still full: forget the oldest half
            for key, _b in sorted(self._buckets.items(), key=lambda kv: kv[1].updated)[: self._max_keys // 2]:
                del self._buckets[key]
