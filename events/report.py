"""The programme's annual report: what was offered and what happened in a calendar year.

Every figure is computed from the same queries the pages use, so it reconciles with the data:
occurrences (recurrences expanded) from events.queries, hours from events.hours, feedback from
the feedback summary, and forums, notes, decisions and minutes from the forum's query functions
(forum.queries, exposed for this). Counts only: no personal data.

"Held" means an occurrence that was not cancelled and whose day is over (up to yesterday for the
current year); cancelled occurrences of the same period are counted apart.

    report = await db.read(lambda d: build(d, 2026, settings.tz))
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils
from aiohttp import web
from markupsafe import Markup

from events import charts, hours, queries
from events.dashboard import AXIS_COLOURS
from events.model import AXES, KINDS
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.routing import STAFF, Routes
from quartier.templates import render
from quartier.typedefs import DB, SETTINGS

routes = Routes()

SOURCES = ("tablet", "phone", "paper", "spoken")
SOURCE_LABELS = {"tablet": N_("tablette"), "phone": N_("téléphone"), "paper": N_("papier"), "spoken": N_("oral")}
SHORT_AXES = {"acces-libre": N_("Accès libre"), "accompagnement": N_("Accompagnement"), "droits": N_("Droits")}
MONTHS = (
    N_("janvier"),
    N_("février"),
    N_("mars"),
    N_("avril"),
    N_("mai"),
    N_("juin"),
    N_("juillet"),
    N_("août"),
    N_("septembre"),
    N_("octobre"),
    N_("novembre"),
    N_("décembre"),
)


def period(year: int, today: dt.date) -> tuple[dt.date, dt.date]:
    """The year's first day and its last day already over (an empty period for a future year)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return start, min(end, today - dt.timedelta(days=1))


def build(db: sqlite_utils.Database, year: int, tz: ZoneInfo, today: dt.date | None = None) -> dict[str, Any]:
    """The report's figures (see the module's docstring); one consistent read."""
    from forum import queries as forum  # the forum's read interface for other packages

    today = today or dt.datetime.now(tz).date()
    start, until = period(year, today)
    occurrences = queries.occurrences(db, start, until) if until >= start else []
    sites = {s["slug"]: s["name"] for s in queries.sites(db)}
    held = [o for o in occurrences if o["status"] != "cancelled"]
    cancelled = [o for o in occurrences if o["status"] == "cancelled"]

    def tally(key: str) -> dict[str, dict[str, int]]:
        h, c = Counter(o[key] for o in held), Counter(o[key] for o in cancelled)
        return {k: {"held": h.get(k, 0), "cancelled": c.get(k, 0)} for k in sorted(set(h) | set(c))}

    # Hours per week, month by month: the month's hours over its weeks (days / 7) within the period.
    months = []
    for m in range(1, 13):
        first = dt.date(year, m, 1)
        last = min(dt.date(year, m, calendar.monthrange(year, m)[1]), until)
        if last < first:
            break
        weeks = ((last - first).days + 1) / 7
        in_month = [o for o in held if first <= o["start"].date() <= last]
        by_site: dict[str, float] = dict.fromkeys(sites, 0.0)
        by_axis: dict[str, float] = dict.fromkeys(AXES, 0.0)
        total = 0.0
        for o in in_month:
            h = hours.hours_of(o)
            total += h
            by_site[o["site"]] = by_site.get(o["site"], 0.0) + h
            by_axis[o["axis"]] = by_axis.get(o["axis"], 0.0) + h
        months.append(
            {
                "month": m,
                "days": (last - first).days + 1,
                "hours": round(total, 2),
                "per_week": round(total / weeks, 2),
                "site_hours": {k: round(v, 2) for k, v in by_site.items()},
                "axis_hours": {k: round(v, 2) for k, v in by_axis.items()},
                "site_per_week": {s: round(v / weeks, 2) for s, v in by_site.items()},
                "axis_per_week": {a: round(v / weeks, 2) for a, v in by_axis.items()},
            }
        )

    t0 = dt.datetime.combine(start, dt.time.min, tzinfo=tz).timestamp()
    t1 = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz).timestamp()
    activity = forum.activity(db, t0, t1) if until >= start else {"forums": [], "hackathons": []}
    notes = dict.fromkeys(SOURCES, 0)
    for f in activity["forums"]:
        for s, n in f["notes"].items():
            notes[s] = notes.get(s, 0) + n
    records = forum.decision_records(db, start=t0, end=t1) if until >= start else []
    actions = [r for r in records if r["kind"] == "action"]
    feedback = {}
    responses = 0
    for axis in AXES:
        summary = (
            queries.feedback_summary(db, axis=axis, start=start, end=until)
            if until >= start
            else {"responses": 0, "questions": []}
        )
        satisfaction = next((q for q in summary["questions"] if q["id"] == "satisfaction"), None)
        feedback[axis] = {"responses": summary["responses"], "mean": satisfaction["mean"] if satisfaction else None}
        responses += summary["responses"]
    minutes = forum.published_minutes(db, start=t0, end=t1) if until >= start else []
    return {
        "year": year,
        "start": start,
        "until": until,
        "partial": until < dt.date(year, 12, 31),
        "sites": sites,
        "sessions": {
            "held": len(held),
            "cancelled": len(cancelled),
            "by_site": tally("site"),
            "by_axis": tally("axis"),
            "by_kind": tally("kind"),
        },
        "hours": {"total": round(sum(hours.hours_of(o) for o in held), 2), "months": months},
        "attendance": {
            "forum_people": sum(f["attendance"] for f in activity["forums"]),
            "feedback_responses": responses,
            "sessions_held": len(held),
        },
        "forums": {
            "boards": len(activity["forums"]),
            "hackathons": len(activity["hackathons"]),
            "forum_days": sum(1 for o in held if o["kind"] == "forum"),
            "hackathon_days": sum(1 for o in held if o["kind"] == "hackathon"),
            "list": activity["forums"],
            "hackathon_list": activity["hackathons"],
        },
        "notes": {"total": sum(notes.values()), "by_source": notes},
        "decisions": {
            "decisions": sum(1 for r in records if r["kind"] == "decision"),
            "actions": len(actions),
            "done": sum(1 for r in actions if r["status"] == "done"),
            "open": sum(1 for r in actions if r["status"] == "open"),
        },
        "feedback": feedback,
        "minutes": minutes,
    }


# -- charts and formats


def _num(value: Any) -> str:
    return charts.number(value)


def chart_set(r: dict[str, Any]) -> dict[str, Markup]:
    """The report's SVG charts (a table follows each in every format)."""
    axes = [(a, _(label), AXIS_COLOURS[a]) for a, label in SHORT_AXES.items()]  # short: the legend is one line
    held_cancelled = [("held", _("tenues"), "#1d6b2f"), ("cancelled", _("annulées"), "#8a1c1c")]
    return {
        "sites": charts.stacked_bars(
            [(r["sites"].get(k, k), v) for k, v in r["sessions"]["by_site"].items()],
            held_cancelled,
            name="report-sites",
            title=_("Séances par lieu"),
            desc=_("Séances tenues et annulées, par lieu."),
        ),
        "hours": charts.stacked_bars(
            [(_(MONTHS[m["month"] - 1]), m["axis_per_week"]) for m in r["hours"]["months"]],
            axes,
            name="report-hours",
            title=_("Heures de service par semaine, mois par mois"),
            desc=_("Moyenne par semaine de chaque mois, par axe."),
            unit=" h",
        ),
        "notes": charts.stacked_bars(
            [(_(SOURCE_LABELS[s]), {"n": n}) for s, n in r["notes"]["by_source"].items()],
            [("n", _("notes"), "#1b4f8a")],
            name="report-notes",
            title=_("Notes recueillies, par source"),
            desc=_("Notes des forums de l'année, par moyen de dépôt."),
        ),
        "actions": charts.stacked_bars(
            [(_("Actions"), {"done": r["decisions"]["done"], "open": r["decisions"]["open"]})],
            [("done", _("faites"), "#1d6b2f"), ("open", _("à faire"), "#8a5a00")],
            name="report-actions",
            title=_("Actions faites et à faire"),
            desc=_("Actions décidées dans les forums de l'année."),
        ),
        "feedback": charts.stacked_bars(
            [(_(AXES[a]), {"mean": f["mean"] or 0}) for a, f in r["feedback"].items()],
            [("mean", _("satisfaction moyenne sur 5"), "#0f6f78")],
            name="report-feedback",
            title=_("Satisfaction par axe"),
            desc=_("Moyenne des réponses de 1 (très mal) à 5 (très bien)."),
        ),
    }


def context(r: dict[str, Any], tz: ZoneInfo, minutes_url: Any) -> dict[str, Any]:
    """What the report's templates need; `minutes_url(board_id)` links a published minutes page."""
    return {
        "r": r,
        "charts": chart_set(r),
        "num": _num,
        "AXES": AXES,
        "KINDS": KINDS,
        "MONTHS": MONTHS,
        "SOURCE_LABELS": SOURCE_LABELS,
        "minutes_url": minutes_url,
        "fmt_ts": lambda ts: dt.datetime.fromtimestamp(ts, tz).strftime("%d/%m/%Y"),
        "lambda_site": lambda k: r["sites"].get(k, k),
        "lambda_axis": lambda k: _(AXES.get(k, k)),
        "lambda_kind": lambda k: _(KINDS.get(k, k)),
    }


def standalone_html(templates: Any, r: dict[str, Any], tz: ZoneInfo, base: str) -> str:
    """The report as one HTML file (the CLI's output): styles inline, links on the public base URL."""
    from importlib.resources import files

    css = "".join(
        (files("events") / "static" / name).read_text(encoding="utf-8") for name in ("report.css", "dashboard.css")
    )
    css += "\nbody { font-family: sans-serif; max-width: 60rem; margin: 0 auto; padding: 1rem; }"
    ctx = context(r, tz, lambda board: f"{base.rstrip('/')}/minutes/{board}")
    return templates.env.get_template("events/report/standalone.html").render({**ctx, "inline_css": css})


def to_csv(r: dict[str, Any]) -> str:
    """One line per figure: section, item, detail, value (the same figures as the page)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["section", "element", "detail", "valeur"])
    for group in ("by_site", "by_axis", "by_kind"):
        for k, v in r["sessions"][group].items():
            w.writerow([f"seances_{group[3:]}", k, "tenues", v["held"]])
            w.writerow([f"seances_{group[3:]}", k, "annulees", v["cancelled"]])
    w.writerow(["seances", "total", "tenues", r["sessions"]["held"]])
    w.writerow(["seances", "total", "annulees", r["sessions"]["cancelled"]])
    for m in r["hours"]["months"]:
        month = f"{r['year']}-{m['month']:02d}"
        for s, v in m["site_per_week"].items():
            w.writerow(["heures_par_semaine_lieu", month, s, v])
        for a, v in m["axis_per_week"].items():
            w.writerow(["heures_par_semaine_axe", month, a, v])
        w.writerow(["heures_mois", month, "total", m["hours"]])
    for k, v in r["attendance"].items():
        w.writerow(["participation", k, "", v])
    for k in ("boards", "hackathons", "forum_days", "hackathon_days"):
        w.writerow(["forums", k, "", r["forums"][k]])
    for s, n in r["notes"]["by_source"].items():
        w.writerow(["notes", s, "", n])
    for k, v in r["decisions"].items():
        w.writerow(["decisions", k, "", v])
    for a, f in r["feedback"].items():
        w.writerow(["avis", a, "reponses", f["responses"]])
        w.writerow(["avis", a, "satisfaction_moyenne", "" if f["mean"] is None else round(f["mean"], 2)])
    for m in r["minutes"]:
        w.writerow(["comptes_rendus", m["board"], m["title"], m["version"]])
    return out.getvalue()


def to_markdown(r: dict[str, Any]) -> str:
    """The report as Markdown tables (same figures, French)."""
    names = r["sites"]
    lines = [
        f"# Rapport annuel {r['year']}",
        "",
        f"Du {r['start'].isoformat()} au {r['until'].isoformat()}" + (" (année en cours)." if r["partial"] else "."),
        "",
        "## Séances",
        "",
        f"{r['sessions']['held']} séances tenues, {r['sessions']['cancelled']} annulées.",
        "",
    ]
    for group, title, label in (
        ("by_site", "Par lieu", lambda k: names.get(k, k)),
        ("by_axis", "Par axe", lambda k: AXES.get(k, k)),
        ("by_kind", "Par type", lambda k: KINDS.get(k, k)),
    ):
        lines += [f"### {title}", "", "| | tenues | annulées |", "|---|---:|---:|"]
        lines += [f"| {label(k)} | {v['held']} | {v['cancelled']} |" for k, v in r["sessions"][group].items()]
        lines.append("")
    lines += [
        "## Heures de service par semaine, mois par mois",
        "",
        "| Mois | " + " | ".join(AXES.values()) + " | Total |",
        "|---|" + "---:|" * (len(AXES) + 1),
    ]
    for m in r["hours"]["months"]:
        lines.append(
            f"| {MONTHS[m['month'] - 1]} | "
            + " | ".join(_num(m["axis_per_week"][a]) for a in AXES)
            + f" | {_num(m['per_week'])} |"
        )
    lines += ["", "| Mois | " + " | ".join(names.values()) + " |", "|---|" + "---:|" * len(names)]
    for m in r["hours"]["months"]:
        lines.append(f"| {MONTHS[m['month'] - 1]} | " + " | ".join(_num(m["site_per_week"][s]) for s in names) + " |")
    a = r["attendance"]
    f = r["forums"]
    d = r["decisions"]
    lines += [
        "",
        "## Participation (nombres seulement)",
        "",
        f"- Personnes comptées aux forums : {a['forum_people']}",
        f"- Réponses aux questionnaires d'avis : {a['feedback_responses']}",
        "",
        "## Forums et hackathons",
        "",
        f"- Forums (murs) tenus : {f['boards']} ; journées « forum » au programme : {f['forum_days']}",
        f"- Hackathons : {f['hackathons']} ; journées « hackathon » au programme : {f['hackathon_days']}",
        "",
        "## Notes recueillies",
        "",
        "| Source | Notes |",
        "|---|---:|",
    ]
    lines += [f"| {SOURCE_LABELS[s]} | {n} |" for s, n in r["notes"]["by_source"].items()]
    lines += [
        f"| Total | {r['notes']['total']} |",
        "",
        "## Décisions et actions",
        "",
        f"- Décisions : {d['decisions']}",
        f"- Actions : {d['actions']} (faites : {d['done']}, à faire : {d['open']})",
        "",
        "## Satisfaction par axe",
        "",
        "| Axe | Réponses | Moyenne sur 5 |",
        "|---|---:|---:|",
    ]
    for axis, fb in r["feedback"].items():
        lines.append(f"| {AXES[axis]} | {fb['responses']} | {_num(fb['mean']) if fb['mean'] else '—'} |")
    lines += ["", "## Comptes rendus publiés", ""]
    lines += [f"- {m['title']} (version {m['version']}) : /minutes/{m['board']}" for m in r["minutes"]] or ["Aucun."]
    return "\n".join(lines) + "\n"


# -- the staff page


def _year(request: web.Request) -> int:
    raw = request.query.get("year") or ""
    today = dt.datetime.now(request.app[SETTINGS].tz).date()
    if not raw:
        return today.year
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise Problem(422, "invalid_year", N_("L'année s'écrit avec quatre chiffres, par exemple 2026."))
    return int(raw)


@routes.get("/staff/report", name="events_report", access=STAFF)
async def report_page(request: web.Request) -> web.Response:
    year = _year(request)
    tz = request.app[SETTINGS].tz
    r = await request.app[DB].read(lambda d: build(d, year, tz))
    router = request.app.router
    return render(
        request,
        "events/report/page.html",
        context(r, tz, lambda board: str(router["minutes_page"].url_for(id=str(board)))),
    )


@routes.get("/staff/report.csv", name="events_report_csv", access=STAFF)
async def report_csv(request: web.Request) -> web.Response:
    year = _year(request)
    tz = request.app[SETTINGS].tz
    r = await request.app[DB].read(lambda d: build(d, year, tz))
    response = web.Response(text=to_csv(r), content_type="text/csv", charset="utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="rapport-{year}.csv"'
    return response
