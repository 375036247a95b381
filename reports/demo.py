"""Demo data of what the programme learns: feedback answers on last week's sessions and on a year
of past ones (so the annual report says something), then the past forums' boards and minutes, and
the GT ESC's meetings."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from events import queries
from forum import queries as forum_queries
from quartier.db import Tx
from reports import attendance_demo, city_minutes, meetings_demo, minutes_demo
from reports import forms as forms_module
from reports.feedback_store import Target, submit

DEMO_COMMENTS = [
    "Merci pour la patience, j'ai enfin pu déclarer mes ressources.",
    "Très clair, j'aimerais une séance de plus sur le téléphone.",
    "Un peu trop de monde, mais bien accueillie.",
    "J'ai appris à scanner mes papiers, merci !",
    "Il faudrait plus de créneaux le samedi.",
]


async def demo(ctx: Any) -> None:
    """Feedback on last week and on the past year, then the past forums' minutes."""
    await last_week_feedback(ctx)
    await past_year_feedback(ctx)
    await minutes_demo.demo(ctx)
    await attendance_demo.demo(ctx)
    await ctx.db.write(lambda tx: meetings_demo.gt_esc(tx, ctx.today))
    await ctx.db.write(lambda tx: city_forum_minutes(tx, ctx))


def city_forum_minutes(tx: Tx, ctx: Any) -> None:
    """Last spring's city-wide forum (forum.demo_citywide) with its combined minutes published."""
    for f in forum_queries.forums(tx.db, state="closed"):
        city_minutes.compile_tx(tx, f["id"], ctx.settings.tz, now=f["created"] + 86400)
        city_minutes.publish_tx(tx, f["id"], "demo", now=f["created"] + 2 * 86400)


def learned_question(form: Any) -> Any:
    """The shipped form's "what did you learn" question (the demo's answers pick among its choices)."""
    question = form.question("learned")
    assert question is not None, "the shipped default form asks what people learned"
    return question


def _target(occ: dict[str, Any]) -> Target:
    return Target(
        kind="occurrence",
        key=f"o:{occ['session']}:{occ['date'].isoformat()}",
        title=occ["title"],
        date=occ["date"],
        opens=occ["start"],
        closes=occ["end"],
        session_id=occ["session"],
        site=occ["site"],
        axis=occ["axis"],
    )


async def last_week_feedback(ctx: Any) -> None:
    """Answers on last week's sessions (a handful per occurrence, most of them happy)."""
    rng = random.Random(35238)
    start = ctx.today - dt.timedelta(days=7)
    end = ctx.today - dt.timedelta(days=1)
    form = forms_module.shipped().get(forms_module.DEFAULT)
    past = await ctx.db.read(lambda d: [o for o in queries.occurrences(d, start, end) if o["status"] != "cancelled"])

    def write(tx: Tx) -> None:
        for occ in past:
            target = _target(occ)
            for k in range(rng.randint(2, 7)):
                answers: dict[str, Any] = {"satisfaction": rng.choices([2, 3, 4, 5], [1, 2, 5, 6])[0]}
                learned = [c.id for c in learned_question(form).choices_for(occ["axis"])]
                answers["learned"] = sorted(rng.sample(learned, rng.randint(1, 2)), key=learned.index)
                answers["return"] = rng.choices(["oui", "peut-etre", "non"], [7, 2, 1])[0]
                if rng.random() < 0.3:
                    answers["comment"] = rng.choice(DEMO_COMMENTS)
                when = occ["end"].timestamp() + rng.randint(0, 3600)
                submit(tx, target, f"demo-device-{occ['session']}-{occ['date']}-{k}", answers, now=when)

    await ctx.db.write(write)


async def past_year_feedback(ctx: Any) -> None:
    """A few answers on each session held in the past year (a forum day gets a dozen)."""
    rng = random.Random(2006)
    year_ago = ctx.today - dt.timedelta(days=365)
    last_week = ctx.today - dt.timedelta(days=8)
    past = await ctx.db.read(lambda d: queries.occurrences(d, year_ago, last_week))
    form = forms_module.shipped().get(forms_module.DEFAULT)

    def write(tx: Tx) -> None:
        for o in past:
            if o["status"] == "cancelled":
                continue
            learned = [c.id for c in learned_question(form).choices_for(o["axis"])]
            for k in range(rng.choice((0, 1, 1, 2, 2, 3, 4, 6) if o["kind"] != "forum" else (12,))):
                answers: dict[str, Any] = {
                    "satisfaction": rng.choices([1, 2, 3, 4, 5], [1, 2, 4, 9, 8])[0],
                    "learned": [rng.choice(learned)],
                    "return": rng.choices(["oui", "peut-etre", "non"], [7, 2, 1])[0],
                }
                device = f"demo-history-{o['session']}-{o['date']}-{k}"
                submit(tx, _target(o), device, answers, now=o["end"].timestamp() + 600 + k)

    await ctx.db.write(write)
