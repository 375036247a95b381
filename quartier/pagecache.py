"""Rendered public pages, kept until the bus says their data changed (or for a few seconds).

A page opts in with `@cached_page(channels)` where `channels(request)` names the bus
channels its data comes from (the same ones its live.js follows). The cache serves:

- only GET requests of anonymous visitors (staff pages hold names, CSRF tokens);
- only 200 responses; the key is the path with its query and the language;
- until a change is published on one of the page's channels, or `ttl` seconds
  (pages that show "now" and "next" move with the clock).

A page rendered from a snapshot carries its `seq` (data-live-since): if a change lands
while it renders, the page is served to who asked meanwhile but not kept, and live.js replays what it missed.
Concurrent misses for one key render once and share the result.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections import OrderedDict, defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from aiohttp import web

from quartier.db import Change
from quartier.typedefs import LANGUAGE, PAGE_CACHE, USER

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

TTL = 2.0
MAX_ENTRIES = 500
KEPT_HEADERS = ("Content-Type", "Cache-Control", "Content-Language")


@dataclass(slots=True)
class _Entry:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    channels: frozenset[str]
    expires: float


class PageCache:
    def __init__(self, *, ttl: float = TTL, max_entries: int = MAX_ENTRIES):
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self._by_channel: dict[str, set[tuple]] = defaultdict(set)
        self._versions: dict[str, int] = defaultdict(int)
        self._pending: dict[tuple, asyncio.Future] = {}
        self.hits = self.misses = 0

    def invalidate(self, changes: Iterable[Change]) -> None:
        """Forget the pages of every channel these changes were published on (a bus listener)."""
        for channel in {c.channel for c in changes}:
            self._versions[channel] += 1
            for key in self._by_channel.pop(channel, ()):
                self._drop(key)

    def clear(self) -> None:
        for key in list(self._entries):
            self._drop(key)

    def _drop(self, key: tuple) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        for channel in entry.channels:
            keys = self._by_channel.get(channel)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._by_channel[channel]

    def get(self, key: tuple) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires <= time.monotonic():
            self._drop(key)
            return None
        return entry

    def versions(self, channels: frozenset[str]) -> tuple[int, ...]:
        return tuple(self._versions[c] for c in sorted(channels))

    def entry(self, response: web.Response, channels: frozenset[str]) -> _Entry:
        assert isinstance(response.body, bytes)
        headers = tuple((h, response.headers[h]) for h in KEPT_HEADERS if h in response.headers)
        return _Entry(response.body, headers, channels, time.monotonic() + self.ttl)

    def put(self, key: tuple, entry: _Entry) -> None:
        self._drop(key)
        self._entries[key] = entry
        for channel in entry.channels:
            self._by_channel[channel].add(key)
        while len(self._entries) > self.max_entries:
            self._drop(next(iter(self._entries)))


def _response(entry: _Entry) -> web.Response:
    response = web.Response(body=entry.body)
    for name, value in entry.headers:
        response.headers[name] = value
    return response


def cached_page(channels: Callable[[web.Request], Iterable[str]]) -> Callable[[Handler], Handler]:
    """Serve a public page from the cache; `channels(request)` are the bus channels its data comes from."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def wrapper(request: web.Request) -> web.StreamResponse:
            cache = request.app.get(PAGE_CACHE)
            if cache is None or request.method != "GET" or request.get(USER) is not None:
                return await handler(request)
            key = (handler.__qualname__, request.path_qs, request.get(LANGUAGE))
            entry = cache.get(key)
            if entry is not None:
                cache.hits += 1
                return _response(entry)
            pending = cache._pending.get(key)
            if pending is not None:  # someone renders it right now: share their page
                shared = await asyncio.shield(pending)
                if shared is not None:
                    return _response(shared)
                return await handler(request)
            cache.misses += 1
            names = frozenset(channels(request))
            before = cache.versions(names)
            future: asyncio.Future = asyncio.get_running_loop().create_future()
            cache._pending[key] = future
            entry = None
            try:
                response = await handler(request)
                if (
                    isinstance(response, web.Response)
                    and response.status == 200
                    and isinstance(response.body, bytes)
                    and not response.cookies
                ):
                    entry = cache.entry(response, names)  # shared with those who asked meanwhile
                    if cache.versions(names) == before:  # kept only if nothing changed while it rendered
                        cache.put(key, entry)
                return response
            finally:
                del cache._pending[key]
                future.set_result(entry)

        return wrapper

    return decorate
