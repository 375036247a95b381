"""The `quartier` subcommands of reports: a forum's minutes and the programme's annual report."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from forum import queries
from forum.store import normalize_code
from quartier import features
from quartier.cli import CommandError, load_settings, with_database
from quartier.db import Database
from quartier.i18n import gettext as _
from quartier.inputs import to_id
from quartier.templates import Templates
from reports import (
    minutes_compile,
    minutes_markdown,
    minutes_render,
    minutes_store,
    odt,
    report,
    report_formats,
    views_minutes,
)


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("minutes", parents=[common], help=_("le compte rendu d'un forum sur la sortie standard"))
    p.add_argument("board", metavar="BOARD", help=_("numéro du tableau ou son code"))
    p.add_argument("--format", choices=("md", "html", "odt"), default="md")
    p.set_defaults(func=cmd_minutes)
    p = sub.add_parser("report", parents=[common], help=_("le rapport annuel du programme sur la sortie standard"))
    p.add_argument("--year", type=int, required=True, metavar="Y")
    p.add_argument("--format", choices=("html", "md", "csv"), default="html")
    p.set_defaults(func=cmd_report)


def cmd_minutes(args: argparse.Namespace) -> None:
    """The latest published version, else the draft, else the minutes compiled now (not saved)."""
    settings = load_settings(args)

    async def run(db: Database) -> dict | None:
        def read(d: Any) -> dict | None:
            raw = args.board.strip()
            board_id = to_id(raw)
            board = queries.board(d, board_id) if board_id else queries.board_by_code(d, normalize_code(raw))
            if board is None:
                return None
            shown = minutes_store.published(d, board["id"]) or minutes_store.draft(d, board["id"])
            if shown is None:
                data = minutes_compile.compile_data(d, board["id"], settings.tz)
                markdown = minutes_compile.fresh_document(minutes_markdown.sections(data))
                shown = {"markdown": markdown, "data": data, "version": 0, "published": None, "state": "draft"}
            return shown

        return await db.read(read)

    version = with_database(settings, run)
    if version is None:
        raise CommandError(_("aucun tableau {board}").format(board=args.board))
    base = settings.base_url
    if args.format == "md":
        sys.stdout.write(minutes_render.to_markdown(version["markdown"], base))
    elif args.format == "html":
        published = (
            dt.datetime.fromtimestamp(version["published"], settings.tz).strftime("%d/%m/%Y")
            if version["published"]
            else ""
        )
        html = views_minutes.standalone_html(Templates(features.packages()), version, base, published)
        sys.stdout.write(html)
    else:
        data = odt.to_odt(
            minutes_render.to_markdown(version["markdown"]),
            title=minutes_render.document_title(version["data"]),
            wordcloud_svg=minutes_render.wordcloud_of(version["data"]),
        )
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def cmd_report(args: argparse.Namespace) -> None:
    settings = load_settings(args)
    if not 2000 <= args.year <= 2100:
        raise CommandError(_("l'année s'écrit avec quatre chiffres, par exemple 2026"))

    async def run(db: Database) -> dict:
        return await db.read(lambda d: report.build(d, args.year, settings.tz))

    r = with_database(settings, run)
    if args.format == "csv":
        sys.stdout.write(report_formats.to_csv(r))
    elif args.format == "md":
        sys.stdout.write(report_formats.to_markdown(r))
    else:
        sys.stdout.write(
            report_formats.standalone_html(Templates(features.packages()), r, settings.tz, settings.base_url)
        )
