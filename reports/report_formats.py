"""The annual report's formats: its SVG charts, the page's context, one standalone HTML file, CSV and
Markdown (the same figures in each)."""

from __future__ import annotations

import datetime as dt
import io
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo

import babel.numbers
from markupsafe import Markup

from commons.queries import KINDS as CONTRIBUTION_KINDS
from events.model import AXES, KINDS
from quartier import charts, csvout, i18n
from quartier.i18n import gettext as _
from reports import report_contributions, report_people_formats, report_referral
from reports.attendance_store import AGE_BANDS
from reports.dashboard import AXIS_COLOURS
from reports.report import MONTHS, SHORT_AXES, SOURCE_LABELS


def _num(value: Any) -> str:
    """A figure as every format of the report shows it: one decimal at most, rounded halves up, in the
    reader's language ("3,9" in French, "3.9" in English), no thousands separator (as the tables)."""
    if value is None:
        return "—"
    rounded = report_people_formats.round1(float(value))
    return babel.numbers.format_decimal(rounded, format="0.#", locale=i18n.locale(i18n.current_language.get()))


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
            fmt=_num,
        ),
        "hours": charts.stacked_bars(
            [(_(MONTHS[m["month"] - 1]), m["axis_per_week"]) for m in r["hours"]["months"] if not m["partial"]],
            axes,
            name="report-hours",
            title=_("Heures de service par semaine, mois par mois"),
            desc=_("Moyenne par semaine de chaque mois fini, par axe."),
            unit=" h",
            fmt=_num,
        ),
        **report_people_formats.charts_of(r, axes, _num),
        "notes": charts.stacked_bars(
            [(_(SOURCE_LABELS[s]), {"n": n}) for s, n in r["notes"]["by_source"].items()],
            [("n", _("notes"), "#1b4f8a")],
            name="report-notes",
            title=_("Notes recueillies, par source"),
            desc=_("Notes des forums de l'année, par moyen de dépôt."),
            fmt=_num,
        ),
        "actions": charts.stacked_bars(
            [(_("Actions"), {"done": r["decisions"]["done"], "open": r["decisions"]["open"]})],
            [("done", _("faites"), "#1d6b2f"), ("open", _("à faire"), "#8a5a00")],
            name="report-actions",
            title=_("Actions faites et à faire"),
            desc=_("Actions décidées dans les forums de l'année."),
            fmt=_num,
        ),
        "feedback": charts.stacked_bars(
            [(_(AXES[a]), {"mean": f["mean"] or 0}) for a, f in r["feedback"].items()],
            [("mean", _("satisfaction moyenne sur 5"), "#0f6f78")],
            name="report-feedback",
            title=_("Satisfaction par axe"),
            desc=_("Moyenne des réponses de 1 (très mal) à 5 (très bien)."),
            fmt=_num,
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
        "lambda_axis": lambda k: _(AXES.get(k) or k),
        "lambda_kind": lambda k: _(KINDS.get(k) or k),
        "CONTRIBUTION_KINDS": CONTRIBUTION_KINDS,
        "AGE_BANDS": AGE_BANDS,
        "people_months": report_people_formats.month_rows(r),
    }


def standalone_html(templates: Any, r: dict[str, Any], tz: ZoneInfo, base: str) -> str:
    """The report as one HTML file (the CLI's output): styles inline, links on the public base URL."""
    css = "".join(
        (files("reports") / "static" / name).read_text(encoding="utf-8") for name in ("report.css", "dashboard.css")
    )
    css += "\nbody { font-family: sans-serif; max-width: 60rem; margin: 0 auto; padding: 1rem; }"
    ctx = context(r, tz, lambda board: f"{base.rstrip('/')}/minutes/{board}")
    return templates.env.get_template("reports/report/standalone.html").render({**ctx, "inline_css": css})


def to_csv(r: dict[str, Any]) -> str:
    """One line per figure: section, item, detail, value (the same figures as the page)."""
    out = io.StringIO()
    w = csvout.Writer(out)
    w.writerow(["section", "element", "detail", "valeur"])
    for group in ("by_site", "by_axis", "by_kind"):
        for k, v in r["sessions"][group].items():
            w.writerow([f"seances_{group[3:]}", k, "tenues", v["held"]])
            w.writerow([f"seances_{group[3:]}", k, "annulees", v["cancelled"]])
    w.writerow(["seances", "total", "tenues", r["sessions"]["held"]])
    w.writerow(["seances", "total", "annulees", r["sessions"]["cancelled"]])
    for m in r["hours"]["months"]:
        month = f"{r['year']}-{m['month']:02d}"
        for s, v in (m["site_per_week"] or {}).items():
            w.writerow(["heures_par_semaine_lieu", month, s, v])
        for a, v in (m["axis_per_week"] or {}).items():
            w.writerow(["heures_par_semaine_axe", month, a, v])
        if m["per_week"] is not None:
            w.writerow(["heures_par_semaine", month, "total", m["per_week"]])
        w.writerow(["heures_mois", month, "total" if not m["partial"] else "mois_en_cours", m["hours"]])
    w.writerows(report_people_formats.csv_rows(r))
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
    w.writerows(report_contributions.csv_rows(r["contributions"]))
    w.writerows(report_referral.csv_rows(r))
    return out.getvalue()


def to_markdown(r: dict[str, Any]) -> str:
    """The report as Markdown tables (same figures, French)."""
    lines = [
        f"# Rapport annuel {r['year']}",
        "",
        f"Du {r['start'].isoformat()} au {r['until'].isoformat()}" + (" (année en cours)." if r["partial"] else "."),
        "",
    ]
    lines += _md_sessions(r) + _md_hours(r) + _md_forums(r) + _md_feedback(r)
    lines += report_contributions.markdown(r["contributions"], _num) + report_referral.markdown(r)
    return "\n".join(lines) + "\n"


def _md_sessions(r: dict[str, Any]) -> list[str]:
    names = r["sites"]
    lines = ["## Séances", "", f"{r['sessions']['held']} séances tenues, {r['sessions']['cancelled']} annulées.", ""]
    for group, title, label in (
        ("by_site", "Par lieu", lambda k: names.get(k, k)),
        ("by_axis", "Par axe", lambda k: AXES.get(k, k)),
        ("by_kind", "Par type", lambda k: KINDS.get(k, k)),
    ):
        lines += [f"### {title}", "", "| | tenues | annulées |", "|---|---:|---:|"]
        lines += [f"| {label(k)} | {v['held']} | {v['cancelled']} |" for k, v in r["sessions"][group].items()]
        lines.append("")
    return lines


def _md_hours(r: dict[str, Any]) -> list[str]:
    names = r["sites"]
    lines = [
        "## Heures de service par semaine, mois par mois",
        "",
        "| Mois | " + " | ".join(AXES.values()) + " | Total |",
        "|---|" + "---:|" * (len(AXES) + 1),
    ]
    for m in r["hours"]["months"]:
        axes = " | ".join(_num((m["axis_per_week"] or {}).get(a)) for a in AXES)
        lines.append(f"| {MONTHS[m['month'] - 1]} | {axes} | {_num(m['per_week'])} |")
    lines += ["", "| Mois | " + " | ".join(names.values()) + " |", "|---|" + "---:|" * len(names)]
    for m in r["hours"]["months"]:
        cells = " | ".join(_num((m["site_per_week"] or {}).get(s)) for s in names)
        lines.append(f"| {MONTHS[m['month'] - 1]} | {cells} |")
    return lines + report_people_formats.markdown(r, _num)


def _md_forums(r: dict[str, Any]) -> list[str]:
    a, f, d = r["attendance"], r["forums"], r["decisions"]
    lines = [
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
    return lines + [
        f"| Total | {r['notes']['total']} |",
        "",
        "## Décisions et actions",
        "",
        f"- Décisions : {d['decisions']}",
        f"- Actions : {d['actions']} (faites : {d['done']}, à faire : {d['open']})",
    ]


def _md_feedback(r: dict[str, Any]) -> list[str]:
    lines = ["", "## Satisfaction par axe", "", "| Axe | Réponses | Moyenne sur 5 |", "|---|---:|---:|"]
    for axis, fb in r["feedback"].items():
        lines.append(f"| {AXES[axis]} | {fb['responses']} | {_num(fb['mean']) if fb['mean'] else '—'} |")
    lines += ["", "## Comptes rendus publiés", ""]
    lines += [f"- {m['title']} (version {m['version']}) : /minutes/{m['board']}" for m in r["minutes"]] or ["Aucun."]
    return lines
