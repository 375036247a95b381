"""The orientation answer: for one need (and optionally a site), where a person can go this week.

The answer is made of parts, one per source, in order (`SOURCES`):

1. `sessions`: the programme's next occurrences that serve the need, from now to six days ahead,
   in time order (cancelled ones left out, full ones marked);
2. the sites' common base (issue 19: a free-access computer, Wi-Fi, a printer) goes here, as one
   more `Source` reading `commons.queries` (commons is below referral), its items matched by the
   need's `base` items;
3. `places`: third-party places that serve it, open now first, then opening soon, nearest to the
   chosen site first.

When every part is empty the answer says so and offers the nearest library. Each item carries
what its slip needs and a `target` ("session:{id}:{date}", "resource:{id}") naming it.

    found = await db.read(lambda d: build(d, Ask(need, site, moment)))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from events import queries as programme
from quartier.i18n import N_
from referral import places, queries
from referral.needs import Need

DAYS = 7


@dataclass(frozen=True)
class Ask:
    need: Need
    site: str | None  # a site's slug: where the person is (distances are from there)
    moment: dt.datetime  # aware, local


@dataclass
class Context:
    """What every source may use: the ask, and the sites by slug (with the chosen one)."""

    ask: Ask
    sites: dict[str, dict[str, Any]]

    @property
    def origin(self) -> dict[str, Any] | None:
        return self.sites.get(self.ask.site or "")


@dataclass(frozen=True)
class Source:
    key: str
    heading: str  # msgid
    template: str
    read: Callable[[sqlite_utils.Database, Context], list[dict[str, Any]]]


@dataclass
class Part:
    key: str
    heading: str
    template: str
    items: list[dict[str, Any]]


@dataclass
class Answer:
    ask: Ask
    site: dict[str, Any] | None
    parts: list[Part]
    fallback: dict[str, Any] | None = None
    sites: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(p.items for p in self.parts)


def read_sessions(db: sqlite_utils.Database, ctx: Context) -> list[dict[str, Any]]:
    """This week's occurrences serving the need, from now on; distance from the chosen site."""
    moment = ctx.ask.moment
    serving = {id for id, ids in queries.session_needs(db).items() if ctx.ask.need.id in ids}
    found: list[dict[str, Any]] = []
    if not serving:
        return found
    today = moment.date()
    for o in programme.occurrences(db, today, today + dt.timedelta(days=DAYS - 1)):
        if o["session"] not in serving or o["status"] == "cancelled" or o["end"] <= moment:
            continue
        site = ctx.sites.get(o["site"], {})
        found.append(
            {
                **o,
                "place": site,
                "here": o["site"] == ctx.ask.site,
                "distance": places.distance_km(ctx.origin, site),
                "running": o["start"] <= moment,
                "target": f"session:{o['session']}:{o['date'].isoformat()}",
            }
        )
    return found


def read_places(db: sqlite_utils.Database, ctx: Context) -> list[dict[str, Any]]:
    """Third-party places serving the need: open now, then soon, nearest first."""
    found = [with_opening(r, ctx) for r in queries.resources(db) if ctx.ask.need.id in r["needs"]]
    return sorted(found, key=places.order_key)


def with_opening(resource: dict[str, Any], ctx: Context) -> dict[str, Any]:
    return {
        **resource,
        "opening": places.opening(resource["opening_hours"], ctx.ask.moment),
        "distance": None if resource["remote"] else places.distance_km(ctx.origin, resource),
        "target": f"resource:{resource['id']}",
    }


SOURCES: tuple[Source, ...] = (
    Source("sessions", N_("Cette semaine au programme"), "referral/_part_sessions.html", read_sessions),
    Source("places", N_("Autres lieux qui peuvent vous aider"), "referral/_part_places.html", read_places),
)


def nearest_library(db: sqlite_utils.Database, ctx: Context) -> dict[str, Any] | None:
    """The library nearest to the chosen site (the first one by name when no site or no coordinates)."""
    libraries = [with_opening(r, ctx) for r in queries.resources(db) if r["kind"] == "library"]
    if not libraries:
        return None
    return min(libraries, key=lambda r: (r["distance"] is None, r["distance"] or 0.0, r["name"].lower()))


def build(db: sqlite_utils.Database, ask: Ask) -> Answer:
    """The whole answer, in one read."""
    sites = {s["slug"]: s for s in programme.sites(db)}
    ctx = Context(ask, sites)
    parts = [Part(s.key, s.heading, s.template, s.read(db, ctx)) for s in SOURCES]
    answer = Answer(ask, ctx.origin, parts, sites=list(sites.values()))
    if answer.empty:
        answer.fallback = nearest_library(db, ctx)
    return answer


def item(db: sqlite_utils.Database, target: str, ask: Ask) -> dict[str, Any] | None:
    """One item of an answer by its target, for its slip (None when it does not exist)."""
    ctx = Context(ask, {s["slug"]: s for s in programme.sites(db)})
    kind, _sep, rest = target.partition(":")
    if kind == "resource" and rest.isdigit():
        r = queries.resource(db, int(rest))
        return {**with_opening(r, ctx), "kind_of_item": "resource"} if r else None
    session, _sep, day = rest.partition(":")
    if kind != "session" or not session.isdigit():
        return None
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        return None
    o = programme.occurrence(db, int(session), date)
    if o is None:
        return None
    site = ctx.sites.get(o["site"], {})
    return {
        **o,
        "place": site,
        "distance": places.distance_km(ctx.origin, site),
        "target": target,
        "kind_of_item": "session",
    }
