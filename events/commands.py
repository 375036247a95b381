"""The programme's `quartier` subcommands: import and export."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from events import yamlio
from quartier.cli import CommandError, load_settings, with_database
from quartier.db import Database
from quartier.i18n import gettext as _
from quartier.i18n import ngettext


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("import", parents=[common], help=_("importe un programme YAML (tout ou rien, idempotent)"))
    p.add_argument("file", metavar="FILE.yaml")
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("export", parents=[common], help=_("exporte le programme en YAML (sortie standard par défaut)"))
    p.add_argument("file", metavar="FILE.yaml", nargs="?")
    p.set_defaults(func=cmd_export)


def cmd_import(args: argparse.Namespace) -> None:
    settings = load_settings(args)
    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise CommandError(_("impossible de lire {file} : {error}").format(file=path, error=e)) from None

    async def run(db: Database):
        programme = yamlio.read(text, default_timezone=settings.timezone)
        return await db.write(lambda tx: yamlio.apply(tx, programme))

    try:
        outcomes = with_database(settings, run)
    except yamlio.ImportFailed as e:
        lines = [f"{path}:{p}" for p in e.problems]
        raise CommandError(
            ngettext(
                "{n} problème dans {file}, rien n'a été importé :",
                "{n} problèmes dans {file}, rien n'a été importé :",
                len(lines),
            ).format(n=len(lines), file=path)
            + "\n"
            + "\n".join(lines)
        ) from None
    print(
        # Counts as labels, so that no number needs a plural form of its own: "créés : 1".
        _("Import terminé. Créés : {created} ; modifiés : {updated} ; inchangés : {unchanged}.").format(
            created=outcomes["created"], updated=outcomes["updated"], unchanged=outcomes["unchanged"]
        )
    )


def cmd_export(args: argparse.Namespace) -> None:
    settings = load_settings(args)

    async def run(db: Database) -> str:
        return await db.read(yamlio.export)

    text = with_database(settings, run)
    if args.file:
        Path(args.file).write_text(text, encoding="utf-8")
        print(_("Programme exporté dans {file}.").format(file=args.file))
    else:
        sys.stdout.write(text)
