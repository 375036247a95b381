"""`quartier referral import FILE.json…`: third-party places from data·inclusion v1 files."""

from __future__ import annotations

import argparse
from pathlib import Path

from quartier.cli import CommandError, load_settings, with_database
from quartier.db import Database
from quartier.i18n import gettext as _
from referral import di_import, di_read

MAX_FILE_BYTES = 200 * 1024 * 1024


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    referral = sub.add_parser("referral", help=_("l'annuaire d'orientation")).add_subparsers(
        dest="referral_command", metavar="ACTION", required=True
    )
    p = referral.add_parser(
        "import",
        parents=[common],
        help=_("importe des lieux et services data·inclusion v1 (structures.json, services.json ; tout ou rien)"),
    )
    p.add_argument("files", metavar="FILE.json", nargs="+")
    p.add_argument("--dry-run", action="store_true", help=_("montre ce qui changerait, sans rien écrire"))
    p.set_defaults(func=cmd_import)


def _read(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(_("{file} dépasse 200 Mo.").format(file=path))
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise CommandError(_("impossible de lire {file} : {error}").format(file=path, error=e)) from None


def cmd_import(args: argparse.Namespace) -> None:
    settings = load_settings(args)
    files = [(Path(f).name, _read(Path(f))) for f in args.files]

    async def run(db: Database) -> tuple[di_read.Batch, list[di_import.Change], dict[str, int] | None]:
        batch = di_read.read(files, await db.read(di_import.known_structures))
        changes = await db.read(lambda d: di_import.preview(d, batch))
        outcomes = None if args.dry_run else dict(await db.write(lambda tx: di_import.apply(tx, batch)))
        return batch, changes, outcomes

    try:
        batch, changes, outcomes = with_database(settings, run)
    except di_read.Refused as e:
        raise CommandError(
            _("{n} problème(s), rien n'a été importé :").format(n=len(e.problems)) + "\n" + "\n".join(e.problems)
        ) from None
    for warning in batch.warnings:
        print(_("attention : {warning}").format(warning=warning))
    for c in changes:
        if c.outcome == "created":
            print(_("nouveau : {name}").format(name=c.name))
        elif c.outcome == "updated":
            print(_("modifié : {name} ({columns})").format(name=c.name, columns=", ".join(c.columns)))
    counts = outcomes or {o: sum(1 for c in changes if c.outcome == o) for o in ("created", "updated", "unchanged")}
    line = _("{created} nouveau(x), {updated} modifié(s), {unchanged} inchangé(s).").format(**counts)
    print(_("Rien n'a été écrit (--dry-run) : ") + line if args.dry_run else _("Import terminé : ") + line)
