"""Sessions as schema.org Events, complete the way search engines' event results want them.

Every event (a session, its schedule's sub-events, the session page's one occurrence) carries
by itself what structured-data events require and recommend: name, startDate and endDate,
eventStatus, eventAttendanceMode, a Place with its name and postal address (never a bare @id
that no node carries), image, description, offers (free: price 0, EUR), organizer with its url,
performer (the partner), inLanguage as BCP 47 tags (`fr`, `ar`, `tr`, not "français").
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from aiohttp import web

from events import queries
from events.model import KINDS, Rule
from quartier.i18n import gettext as _
from quartier.templates import public_url

EVENT_STATUS = {
    "scheduled": "EventScheduled",
    "full": "EventScheduled",
    "cancelled": "EventCancelled",
    "moved": "EventRescheduled",
}
# Language names as staff type them (French or English) to BCP 47 tags.
LANGUAGE_TAGS = {
    "français": "fr", "francais": "fr", "french": "fr", "arabe": "ar", "arabic": "ar", "turc": "tr",
    "turkish": "tr", "anglais": "en", "english": "en", "espagnol": "es", "spanish": "es", "portugais": "pt",
    "portuguese": "pt", "russe": "ru", "russian": "ru", "ukrainien": "uk", "ukrainian": "uk", "roumain": "ro",
    "romanian": "ro", "italien": "it", "italian": "it", "allemand": "de", "german": "de", "chinois": "zh",
    "chinese": "zh", "albanais": "sq", "albanian": "sq", "persan": "fa", "farsi": "fa", "dari": "prs",
    "pachto": "ps", "pashto": "ps", "kurde": "ku", "kurdish": "ku", "tamazight": "ber", "berbère": "ber",
    "wolof": "wo", "bambara": "bm", "peul": "ff", "soninké": "snk", "lingala": "ln", "tamoul": "ta",
    "tamil": "ta", "géorgien": "ka", "arménien": "hy", "vietnamien": "vi", "polonais": "pl", "bulgare": "bg",
    "serbe": "sr", "tigrigna": "ti", "somali": "so", "breton": "br", "langue des signes française": "fsl",
    "lsf": "fsl",
}  # fmt: skip
BCP47 = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def language_tags(languages: list[str]) -> list[str]:
    """BCP 47 tags of the languages spoken, French when none is given; unknown names are left out."""
    tags = []
    for name in languages:
        low = name.strip().lower()
        tag = LANGUAGE_TAGS.get(low) or (name.strip() if BCP47.match(name.strip()) else None)
        if tag:
            tags.append(tag)
    return list(dict.fromkeys(tags)) or ["fr"]


def place(request: web.Request, site: dict[str, Any]) -> dict[str, Any]:
    """The site as a self-contained Place: name, postal address, coordinates and open-data codes."""
    node: dict[str, Any] = {
        "@type": "Place",
        "name": site["name"],
        "url": public_url(request, f"/sites/{site['slug']}"),
        "address": {
            "@type": "PostalAddress",
            "streetAddress": site["address"],
            "postalCode": site["postal_code"],
            "addressLocality": site["commune"],
            "addressCountry": "FR",
        },
        "additionalProperty": [
            {"@type": "PropertyValue", "propertyID": "code_insee", "value": site["insee"]},
            {"@type": "PropertyValue", "propertyID": "typologie", "value": site["typologie"]},
        ],
    }
    if site["latitude"] is not None and site["longitude"] is not None:
        node["geo"] = {"@type": "GeoCoordinates", "latitude": site["latitude"], "longitude": site["longitude"]}
    return node


def image_url(request: web.Request, axis: str) -> str:
    return public_url(request, str(request.app.router["static_events"].url_for(filename=f"axes/{axis}.svg")))


def _offer(s: dict[str, Any], url: str, status: str) -> dict[str, Any]:
    availability = {"full": "SoldOut", "cancelled": "Discontinued"}.get(status, "InStock")
    if status == "scheduled" and s["registration"]:
        availability = "LimitedAvailability" if s["capacity"] else "InStock"
    offer: dict[str, Any] = {
        "@type": "Offer",
        "url": url,
        "availability": f"https://schema.org/{availability}",
        "validFrom": dt.datetime.fromtimestamp(s["created"], dt.UTC).isoformat(timespec="seconds"),
    }
    if s["free"]:
        offer.update(price=0, priceCurrency="EUR")
    return offer


def _common(request: web.Request, s: dict[str, Any], site: dict[str, Any], url: str, status: str) -> dict[str, Any]:
    """What every event of a session carries, whatever its dates."""
    organizer_url = site["website"] or public_url(request, f"/sites/{site['slug']}")
    ld: dict[str, Any] = {
        "@type": "Event",
        "@id": url,
        "name": s["title"],
        "description": s["description"] or _(KINDS[s["kind"]]),
        "url": url,
        "image": [image_url(request, s["axis"])],
        "eventStatus": f"https://schema.org/{EVENT_STATUS[status]}",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "isAccessibleForFree": s["free"],
        "location": place(request, site),
        "organizer": {"@type": "Organization", "name": site["name"], "url": organizer_url},
        "offers": _offer(s, url, status),
        "inLanguage": language_tags(s["languages"]),
        "audience": [{"@type": "Audience", "audienceType": a} for a in s["audience"]],
        "keywords": [s["axis"], s["kind"]],
    }
    if s["partner"]:  # the partner that runs it, from the registry, with its public page
        ld["performer"] = {"@type": "Organization", "name": s["partner"]}
        if s.get("partner_website"):
            ld["performer"]["url"] = s["partner_website"]
    if s["capacity"]:
        ld["maximumAttendeeCapacity"] = s["capacity"]
    return ld


def occurrence_event(request: web.Request, s: dict[str, Any], site: dict[str, Any], occ: dict[str, Any]) -> dict:
    """One occurrence (its own dates and status), e.g. the session page's or a sub-event."""
    url = public_url(request, f"/sessions/{s['id']}?date={occ['date'].isoformat()}")
    ld = _common(request, s, site, url, occ["status"])
    ld.update(startDate=occ["start"].isoformat(), endDate=occ["end"].isoformat())
    if occ["original_start"]:
        ld["previousStartDate"] = occ["original_start"].isoformat()
    if occ["reason"]:
        ld["description"] = occ["reason"] + (" — " + s["description"] if s["description"] else "")
    if occ.get("room"):
        ld["location"]["name"] = f"{site['name']}, {occ['room']}"
    return ld


def _schedule(s: dict[str, Any], rule: Rule, first_start: dt.datetime, first_end: dt.datetime) -> dict[str, Any]:
    schedule: dict[str, Any] = {
        "@type": "Schedule",
        "startDate": rule.first.isoformat(),
        "startTime": rule.start.strftime("%H:%M:%S"),
        "endTime": rule.end.strftime("%H:%M:%S"),
        "duration": f"PT{int((first_end - first_start).total_seconds() // 60)}M",
        "scheduleTimezone": s["timezone"],
        "byDay": f"https://schema.org/{first_start.strftime('%A')}",
        "repeatFrequency": f"P{rule.interval}W" if rule.every == "weekly" else f"P{rule.interval}M",
    }
    if rule.every == "monthly":
        schedule["byMonthWeek"] = (rule.first.day - 1) // 7 + 1
    if rule.until:
        schedule["endDate"] = rule.until.isoformat()
    if rule.count:
        schedule["repeatCount"] = rule.count
        schedule["endDate"] = rule.dates(rule.first, rule.first + dt.timedelta(days=3700))[-1].isoformat()
    return schedule


def session_event(
    request: web.Request, s: dict[str, Any], site: dict[str, Any], tz: Any, today: dt.date
) -> dict[str, Any]:
    """A session: its first occurrence's dates, an eventSchedule when it repeats, a sub-event per exception."""
    rule = Rule.of(s)
    url = public_url(request, f"/sessions/{s['id']}")
    if not rule.every:
        # Happens once: the event is its occurrence, moved or cancelled as it is.
        ld = occurrence_event(
            request, s, site, queries.expand(s, rule.first, s["exceptions"].get(rule.first.isoformat()), tz)
        )
        ld["@id"] = ld["url"] = url
        return ld
    first_start = dt.datetime.combine(rule.first, rule.start, tz)
    first_end = dt.datetime.combine(rule.first, rule.end, tz)
    ld = _common(request, s, site, url, "scheduled")
    ld.update(startDate=first_start.isoformat(), endDate=first_end.isoformat())
    ld["eventSchedule"] = _schedule(s, rule, first_start, first_end)
    subs = []
    for day_iso, e in sorted(s["exceptions"].items()):
        occ = queries.expand(s, dt.date.fromisoformat(day_iso), e, tz)
        if occ["start"].date() >= today - dt.timedelta(days=31):
            subs.append(occurrence_event(request, s, site, occ))
    if subs:
        ld["subEvent"] = subs
    return ld
