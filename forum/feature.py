"""The forum feature: boards, notes and moderation, the tablet, phone, wall and console pages,
votes, hackathons, minutes and decision records."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import sys
from collections.abc import AsyncIterator

from aiohttp import web

from forum import minutes, odt, queries, views, views_hackathon, views_minutes, views_votes
from forum.demo import demo as board_demo
from forum.minutes_demo import demo as history_demo
from forum.store import migrations as board_migrations
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.typedefs import CHANNEL_ACCESS, DB, SETTINGS, STAFF_LINKS

__all__ = ["add_commands", "migrations", "setup", "demo"]

# Boards, notes, votes and hackathons; then the minutes (a separate set: forum.minutes.migrations).
migrations = (board_migrations, minutes.migrations)


def setup(app: web.Application) -> None:
    views.routes.add_to(app)
    views_votes.routes.add_to(app)
    views_hackathon.routes.add_to(app)
    views_minutes.routes.add_to(app)
    # Pending notes travel only on moderation:{id}: staff, or the board's facilitator link.
    app[CHANNEL_ACCESS]["moderation"] = views.CHANNEL_FACILITATOR
    app[STAFF_LINKS].append(("forum_boards", N_("Forums de quartier")))
    app[STAFF_LINKS].append(("hack_list", N_("Hackathons")))
    app[STAFF_LINKS].append(("forum_decisions", N_("Relevé de décisions")))
    app.cleanup_ctx.append(_retention)


async def _retention(app: web.Application) -> AsyncIterator[None]:
    """Purge raw notes past the retention time: at start-up, then every six hours."""
    days = app[SETTINGS].notes_retention_days
    task = asyncio.create_task(minutes.run_retention_forever(app[DB], days)) if days > 0 else None
    try:
        yield
    finally:
        if task:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def demo(ctx: object) -> None:
    """The forum in progress and the hackathon, then the past year's forums and their minutes."""
    await board_demo(ctx)
    await history_demo(ctx)


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("minutes", parents=[common], help=_("le compte rendu d'un forum sur la sortie standard"))
    p.add_argument("board", metavar="BOARD", help=_("numéro du tableau ou son code"))
    p.add_argument("--format", choices=("md", "html", "odt"), default="md")
    p.set_defaults(func=cmd_minutes)


def cmd_minutes(args: argparse.Namespace) -> None:
    """The latest published version, else the draft, else the minutes compiled now (not saved)."""
    from quartier import features
    from quartier.cli import CommandError, load_settings, with_database
    from quartier.db import Database
    from quartier.templates import Templates

    settings = load_settings(args)

    async def run(db: Database) -> dict | None:
        def read(d: object) -> dict | None:
            raw = args.board.strip()
            board = queries.board(d, int(raw)) if raw.isdigit() else queries.board_by_code(d, store_code(raw))
            if board is None:
                return None
            shown = minutes.published(d, board["id"]) or minutes.draft(d, board["id"])
            if shown is None:
                data = minutes.compile_data(d, board["id"], settings.tz)
                shown = {
                    "markdown": minutes.fresh_document(minutes.sections(data)),
                    "data": data,
                    "version": 0,
                    "published": None,
                    "state": "draft",
                }
            return shown

        return await db.read(read)

    version = with_database(settings, run)
    if version is None:
        raise CommandError(_("aucun tableau {board}").format(board=args.board))
    base = settings.base_url
    if args.format == "md":
        sys.stdout.write(minutes.to_markdown(version["markdown"], base))
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
            minutes.to_markdown(version["markdown"]),
            title=minutes.document_title(version["data"]),
            wordcloud_svg=minutes.wordcloud_of(version["data"]),
        )
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def store_code(raw: str) -> str:
    from forum.store import normalize_code

    return normalize_code(raw)
