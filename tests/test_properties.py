"""Property tests (hypothesis): recurrence expansion and the change bus (issue 12).

Recurrence: for any weekly / every-N-weeks / monthly n-th weekday rule, with a count or
an end date, across daylight-saving changes, the expansion is sorted, within the range
asked, at the same wall-clock time, respects its count, and exactly the dates marked
cancelled come out cancelled.

Bus: for any interleaving of writers on several channels and subscribers that connect,
disconnect and reconnect with the last seq they saw, every subscriber ends up with its
channels' seqs in order, with no gap and no duplicate.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import os
from pathlib import Path
from tempfile import TemporaryDirectory
from zoneinfo import ZoneInfo

from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.model import Rule
from events.queries import expand
from quartier.app import create_app
from quartier.settings import Settings
from quartier.typedefs import DB

SOAK = bool(os.environ.get("QUARTIER_SOAK_SECONDS"))
PARIS = ZoneInfo("Europe/Paris")

times = st.times(min_value=dt.time(6, 0), max_value=dt.time(20, 0)).map(lambda t: t.replace(second=0, microsecond=0))
# 2024-2027 spans four spring-forward and four fall-back changes in Paris.
dates = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 12, 31))
rules = st.builds(
    lambda first, start, every, interval, end_kind, count, until_days: Rule(
        first=first,
        start=start,
        end=(dt.datetime.combine(first, start) + dt.timedelta(hours=2)).time(),
        every=every,
        interval=interval,
        count=count if end_kind == "count" else None,
        until=first + dt.timedelta(days=until_days) if end_kind == "until" else None,
    ),
    dates,
    times,
    st.sampled_from([None, "weekly", "monthly"]),
    st.integers(1, 4),
    st.sampled_from(["count", "until", "open"]),
    st.integers(1, 60),
    st.integers(0, 800),
)


def session_row(rule: Rule) -> dict:
    return {
        "id": 1,
        "start_time": rule.start.isoformat("minutes"),
        "end_time": rule.end.isoformat("minutes"),
        "room": "",
        "sequence": 0,
        "title": "t",
        "kind": "atelier",
        "axis": "droits",
        "audience": "",
        "languages": "",
        "registration": "",
        "capacity": None,
        "free": 1,
        "partner": "",
        "partner_key": "",
        "partner_short": "",
        "partner_logo": None,
        "staff_count": 1,
        "site": "x",
        "site_name": "X",
    }


@settings(max_examples=1000 if SOAK else 200, deadline=None)
@given(rule=rules, lo=dates, span=st.integers(0, 500), data=st.data())
def test_recurrence_expansion(rule, lo, span, data):
    hi = lo + dt.timedelta(days=span)
    found = rule.dates(lo, hi)
    assert found == sorted(set(found)), "sorted, no date twice"
    assert all(lo <= d <= hi for d in found), "within the range asked"
    everything = rule.dates(dt.date(2000, 1, 1), dt.date(2060, 12, 31))
    assert found == [d for d in everything if lo <= d <= hi], "a window is a slice of the whole"
    if everything:
        assert everything[0] == rule.first
    if rule.every is None:
        assert everything == [rule.first]
    if rule.count:
        assert len(everything) == (rule.count if rule.every else 1)
    if rule.until:
        assert all(d <= rule.until for d in everything)
    if rule.every == "weekly":
        assert all(d.weekday() == rule.first.weekday() for d in everything)
        assert all((b - a).days == 7 * rule.interval for a, b in itertools.pairwise(everything))
    if rule.every == "monthly":
        n = (rule.first.day - 1) // 7 + 1
        for d in everything:
            assert d.weekday() == rule.first.weekday()
            if n < 5:
                assert (d.day - 1) // 7 + 1 == n, "the same n-th weekday"
            else:
                assert d.day + 7 > (dt.date(d.year + d.month // 12, d.month % 12 + 1, 1) - dt.timedelta(days=1)).day, (
                    "a 5th weekday becomes the last one"
                )
    # Wall-clock time is the same on both sides of any DST change; cancelled = exactly the marked dates.
    marked = set(data.draw(st.lists(st.sampled_from(found), unique=True))) if found else set()
    s = session_row(rule)
    for d in found:
        exception = {"status": "cancelled", "reason": "r", "sequence": 1} if d in marked else None
        occ = expand(s, d, exception, PARIS)
        assert occ["start"].date() == d and occ["start"].time() == rule.start
        assert occ["start"].tzinfo.key == "Europe/Paris"
        assert (occ["status"] == "cancelled") == (d in marked)


# -- the change bus

CHANNELS = ["board:1", "board:2", "programme"]
step = st.one_of(
    st.tuples(st.just("write"), st.integers(0, len(CHANNELS) - 1), st.integers(1, 5)),
    st.tuples(st.just("disconnect"), st.integers(0, 2)),
    st.tuples(st.just("connect"), st.integers(0, 2)),
    st.tuples(st.just("pause"), st.floats(0, 0.02)),
)
plans = st.tuples(
    st.lists(st.sets(st.sampled_from(CHANNELS), min_size=1), min_size=3, max_size=3),  # each subscriber's channels
    st.lists(step, min_size=1, max_size=25),
)


class Follower:
    """A subscriber that keeps what it saw and reconnects with the last seq, as live.js does."""

    def __init__(self, client: TestClient, channels: set[str]):
        self.client, self.channels = client, sorted(channels)
        self.seen: list[dict] = []
        self.ws = None
        self.reader: asyncio.Task | None = None

    @property
    def since(self) -> int:
        return self.seen[-1]["seq"] if self.seen else 0

    async def connect(self) -> None:
        if self.ws is None:
            self.ws = await self.client.ws_connect(f"/ws?channels={','.join(self.channels)}&since={self.since}")
            self.reader = asyncio.create_task(self._read(self.ws))

    async def _read(self, ws) -> None:
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                data = json.loads(msg.data)
                if "seq" in data:
                    self.seen.append(data)

    async def disconnect(self) -> None:
        if self.ws is not None:
            ws, self.ws = self.ws, None
            await ws.close()
            assert self.reader
            await self.reader


async def run_plan(folder: Path, channel_sets: list[set[str]], steps: list[tuple]) -> None:
    app = create_app(Settings(database="q.db", config_dir=folder, secret_key="k", base_url="http://t"))
    server = TestServer(app)
    client = TestClient(server)
    await client.start_server()
    followers = [Follower(client, c) for c in channel_sets]
    try:
        for f in followers:
            await f.connect()
        for action, *args in steps:
            if action == "write":
                channel, n = CHANNELS[args[0]], args[1]
                for i in range(n):
                    await app[DB].write(lambda tx, channel=channel, i=i: tx.change(channel, "note.posted", {"i": i}))
            elif action == "disconnect":
                await followers[args[0]].disconnect()
            elif action == "connect":
                await followers[args[0]].connect()
            else:
                await asyncio.sleep(args[0])
        for f in followers:
            await f.connect()
        expected_all = await app[DB].fetchall("SELECT seq, channel FROM changes ORDER BY seq")
        for f in followers:
            expected = [r["seq"] for r in expected_all if r["channel"] in f.channels]
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 5
            while [m["seq"] for m in f.seen] != expected and loop.time() < deadline:
                await asyncio.sleep(0.01)
            seqs = [m["seq"] for m in f.seen]
            assert seqs == expected, f"{f.channels}: got {seqs}, server has {expected}"
            assert all(m["channel"] in f.channels for m in f.seen)
    finally:
        for f in followers:
            await f.disconnect()
        await client.close()


@settings(max_examples=60 if SOAK else 12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=plans)
def test_every_subscriber_gets_its_channels_in_order_without_gap_or_duplicate(plan):
    channel_sets, steps = plan
    with TemporaryDirectory() as folder:
        asyncio.run(run_plan(Path(folder), channel_sets, steps))
