"""The `quartier` command. argv is parsed here and only here.

User errors end as one readable line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import logging
import os
import re
import signal
import socket
import sqlite3
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from quartier import __version__, auth, features, guard, i18n, pgdump, pgschema
from quartier import settings as settings_module
from quartier.db import Database, open_database
from quartier.files import RestoreError, backup, restore
from quartier.i18n import gettext as _
from quartier.settings import Settings, SettingsError

T = TypeVar("T")


class CommandError(Exception):
    """A command that cannot be carried out; its message is shown as one line."""


def fail(message: str) -> NoReturn:
    raise CommandError(message)


def load_settings(args: argparse.Namespace) -> Settings:
    return settings_module.load(settings_module.find_config(getattr(args, "config", None)))


def with_database(settings: Settings, fn: Callable[[Database], Awaitable[T]]) -> T:
    """Open the database (applying migrations), run fn, close it: for commands outside the server."""

    async def run() -> T:
        db = open_database(settings)
        await db.open(features.migration_sets(features.load()))
        try:
            return await fn(db)
        finally:
            await db.close()

    return asyncio.run(run())


# -- commands


def cmd_init(args: argparse.Namespace) -> None:
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / settings_module.CONFIG_FILE
    if config.exists():
        fail(_("{file} existe déjà ; supprimez-le ou choisissez un autre dossier").format(file=config))
    fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(settings_module.sample())
    settings = settings_module.load(config)
    with_database(settings, _noop)
    print(
        _("Configuration écrite dans {config}, base de données {db}").format(config=config, db=settings.database_path)
    )


async def _noop(db: Database) -> None:
    return None


class AccessLogger(AbstractAccessLogger):
    """Method, path and status: no query string, so tokens in links never reach the logs, and the
    secrets some paths carry (a screen's pairing claim, a cancellation link) are masked."""

    @property
    def enabled(self) -> bool:
        """Below INFO nothing is logged: then the path is not masked for nothing on every request."""
        return self.logger.isEnabledFor(logging.INFO)

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s" %s %.1fms', request.remote, request.method, logged_path(request), response.status, time * 1000
        )


SECRET_SEGMENTS = {"claim", "token", "key", "secret"}
_SECRET_LIKE = re.compile(r"^(?=.*[A-Z_])[A-Za-z0-9_-]{20,}$")  # random tokens: long, mixed case


def logged_path(request: web.BaseRequest) -> str:
    """The path with every secret segment (named so in its route, or shaped like a token) as "…"."""
    match = getattr(request, "match_info", None) or {}
    named = {v for k, v in match.items() if k in SECRET_SEGMENTS}
    segments = ["…" if s in named or _SECRET_LIKE.match(s) else s for s in request.path.split("/")]
    return "/".join(segments)


def serve(settings: Settings, host: str | None = None, port: int | None = None, workers: int = 1) -> None:
    """Serve in this process, or (workers > 1) in that many processes on one port."""
    from quartier.app import create_app

    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"
    )
    host = host or settings.host
    port = settings.port if port is None else port
    if workers == 1:
        listening = _("Quartier écoute sur http://{host}:{port}/").format(host=host, port=port)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve(create_app(settings), settings, host, port, listening=listening))
        return
    from quartier import workers as processes

    app = create_app(settings)  # built once (a bad setting stops here, in one line), shared by the forks
    with_database(settings, _noop)  # migrations once, before any worker opens the database
    try:
        sockets = processes.listen(host, port, workers)
    except OSError as e:
        fail(_("impossible d'écouter sur {host}:{port} : {error}").format(host=host, port=port, error=e.strerror))
    port = sockets[0].getsockname()[1]
    print(
        _("Quartier écoute sur http://{host}:{port}/ ({workers} processus)").format(
            host=host, port=port, workers=workers
        ),
        flush=True,
    )

    def run_worker(sock: socket.socket) -> None:
        asyncio.run(_serve(app, settings, host, port, sock=sock))

    if not processes.Supervisor(sockets, run_worker).run():
        fail(_("les processus du serveur s'arrêtent dès leur démarrage : voyez le journal ci-dessus"))


async def _serve(
    app: web.Application,
    settings: Settings,
    host: str,
    port: int,
    sock: socket.socket | None = None,
    listening: str = "",
) -> None:
    """Serve until SIGINT or SIGTERM (then shut down gracefully), every connection through the guard;
    `listening` is printed once the store is open and the port is taken, not before."""
    runner = web.AppRunner(app, access_log_class=AccessLogger, shutdown_timeout=5, handle_signals=False)
    await runner.setup()
    limits = guard.Limits(
        settings.request_header_timeout,
        settings.request_body_timeout,
        settings.connections_per_address,
        frozenset(settings.trusted_proxies),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):  # a second signal (the parent's, the terminal's) changes nothing
        loop.add_signal_handler(sig, stop.set)
    try:
        # A long backlog: a city's screens and phones reconnecting at once wait in it, not refused.
        await guard.GuardedSite(runner, host, port, limits, sock=sock, backlog=4096).start()
        if listening:
            print(listening, flush=True)
        await stop.wait()
    finally:
        await runner.cleanup()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def cmd_serve(args: argparse.Namespace) -> None:
    serve(load_settings(args), args.host, args.port, args.workers)


def cmd_demo(args: argparse.Namespace) -> None:
    from quartier.demo import build_demo

    folder = Path(args.dir)
    settings, login = build_demo(folder, host=args.host, port=args.port)
    print(_("Démo prête dans {dir} (données fictives).").format(dir=folder))
    print(
        _("Connexion équipe : http://{host}:{port}/login  nom : {name}  mot de passe : {password}").format(
            host=args.host, port=args.port, name=login[0], password=login[1]
        )
    )
    print(_("Autres commandes sur la démo : --config {config}").format(config=folder / settings_module.CONFIG_FILE))
    serve(settings, args.host, args.port, args.workers)


def cmd_user_add(args: argparse.Namespace) -> None:
    settings = load_settings(args)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(_("Mot de passe : "))
        if password != getpass.getpass(_("Mot de passe (encore) : ")):
            fail(_("les deux mots de passe diffèrent"))
    key = args.organisation
    try:
        auth.validate_new_user(args.name, args.role, password, 0 if key else None)
        with_database(settings, lambda db: _add_user(db, args.name, args.role, password, key))
    except auth.AuthError as e:
        fail(str(e))
    print(_("Compte « {name} » créé ({role}).").format(name=args.name.strip(), role=args.role))


async def _add_user(db: Database, name: str, role: str, password: str, key: str | None) -> int:
    """Create the account; a partner account's organisation is looked up in the partners registry."""
    organisation = None
    if key:
        resolve = features.organisation_resolver(features.load())
        organisation = await db.read(lambda d: resolve(d, key)) if resolve else None
        if organisation is None:
            raise auth.AuthError(_("aucune organisation « {key} » parmi les partenaires").format(key=key))
    return await auth.add_user(db, name, role, password, organisation)


def cmd_token_create(args: argparse.Namespace) -> None:
    settings = load_settings(args)
    try:
        token = with_database(settings, lambda db: auth.create_api_token(db, args.name))
    except auth.AuthError as e:
        fail(str(e))
    print(token)


def cmd_backup(args: argparse.Namespace) -> None:
    settings = load_settings(args)
    target = Path(args.file)
    if settings.on_postgresql:
        tables = refusing(lambda: pgdump.backup(settings.database, target))
        print(
            _("Copie cohérente écrite dans {file} ({tables} tables, relue par pg_restore).").format(
                file=target, tables=tables
            )
        )
        return
    if not settings.database_path.exists():
        fail(_("pas de base de données à {path}").format(path=settings.database_path))
    if target.resolve() == settings.database_path:
        fail(_("la copie ne peut pas remplacer la base elle-même"))
    pages = backup(settings.database_path, target)
    print(_("Copie cohérente écrite dans {file} ({pages} pages, intégrité vérifiée).").format(file=target, pages=pages))


def refusing(fn: Callable[[], T]) -> T:
    """fn(), a RestoreError (nothing was changed) shown as one line in the user's language."""
    try:
        return fn()
    except RestoreError as e:
        fail(_(e.message).format(**e.params))


def cmd_restore(args: argparse.Namespace) -> None:
    """Replace the database by a backup, with the server stopped: the backup checked first, and
    today's migrations applied to it (see `quartier.files.restore`, `quartier.pgdump.restore`)."""
    settings = load_settings(args)
    source = Path(args.file)
    kept = None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    if settings.on_postgresql:
        keep = settings.config_dir / f"before-restore-{stamp}.dump"
        _seq, kept = refusing(lambda: pgdump.restore(settings.database, source, keep))
        done = _("Base {db} restaurée depuis {file} (pg_restore en une transaction, migrations appliquées).")
        where: object = pgdump.described(settings.database)
    else:
        if source.resolve() == settings.database_path:
            fail(_("la copie ne peut pas remplacer la base elle-même"))
        kept = refusing(lambda: restore(source, settings.database_path, stamp))
        done = _("Base {db} restaurée depuis {file} (intégrité vérifiée, migrations appliquées).")
        where = settings.database_path
    try:
        with_database(settings, _noop)  # an older backup gets the migrations of today's code
    except Exception as e:  # a backup today's migrations cannot bring up to date: say so, in one line
        fail(_("la base restaurée ne passe pas les migrations : {error}").format(error=e))
    print(done.format(db=where, file=source))
    if kept is not None:
        print(_("L'ancienne base est gardée dans {file}.").format(file=kept))


# -- the parser


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="FILE", help=_("fichier de configuration (par défaut ./quartier.yaml)"))
    parser = argparse.ArgumentParser(
        prog="quartier", description=_("Quartier : le programme d'inclusion numérique des espaces sociaux.")
    )
    parser.add_argument("--version", action="version", version=f"quartier {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", required=True)

    p = sub.add_parser("init", parents=[common], help=_("écrit un quartier.yaml commenté et une base vide"))
    p.add_argument("dir", nargs="?", default=".", metavar="DIR")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("serve", parents=[common], help=_("lance le serveur"))
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    add_workers_argument(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("demo", parents=[common], help=_("lance la démo sur une base neuve"))
    p.add_argument("--dir", default="demo", help=_("dossier de la démo (par défaut ./demo, remplacée)"))
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    add_workers_argument(p)
    p.set_defaults(func=cmd_demo)

    user = sub.add_parser("user", help=_("comptes de l'équipe")).add_subparsers(
        dest="user_command", metavar="ACTION", required=True
    )
    p = user.add_parser("add", parents=[common], help=_("crée un compte"))
    p.add_argument("name", metavar="NAME")
    p.add_argument("--role", required=True, choices=auth.ROLES)
    p.add_argument(
        "--organisation", metavar="KEY", help=_("pour un compte partner : la clé ou le nom de son organisation")
    )
    p.add_argument("--password-stdin", action="store_true", help=_("lit le mot de passe sur l'entrée standard"))
    p.set_defaults(func=cmd_user_add)

    token = sub.add_parser("token", help=_("jetons d'API")).add_subparsers(
        dest="token_command", metavar="ACTION", required=True
    )
    p = token.add_parser("create", parents=[common], help=_("affiche un nouveau jeton pour un compte"))
    p.add_argument("name", metavar="NAME")
    p.set_defaults(func=cmd_token_create)

    p = sub.add_parser("backup", parents=[common], help=_("copie cohérente de la base, serveur en marche"))
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", parents=[common], help=_("remplace la base par une copie, serveur arrêté"))
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_restore)

    for module in features.command_modules():
        if hasattr(module, "add_commands"):
            module.add_commands(sub, common)
    return parser


def add_workers_argument(parser: argparse.ArgumentParser) -> None:
    from quartier.workers import default_workers

    parser.add_argument(
        "--workers",
        type=positive,
        default=default_workers(),
        metavar="N",
        help=_("nombre de processus sur le même port (par défaut : un par cœur)"),
    )


def positive(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(_("un nombre entier d'au moins 1 est attendu : {value}").format(value=raw))
    return value


def main(argv: list[str] | None = None) -> int:
    i18n.load_catalogues(features.translated_packages())
    i18n.current_language.set(i18n.language_from_environment())
    args: Any = build_parser().parse_args(argv)
    try:
        args.func(args)
    except (CommandError, SettingsError) as e:
        print(f"quartier: {e}", file=sys.stderr)
        return 2
    except sqlite3.OperationalError as e:  # the store cannot be opened: unreachable, refused, not UTF8
        said = _(e.message).format(**e.params) if isinstance(e, pgschema.WrongEncoding) else str(e)
        print("quartier: " + _("la base de données ne s'ouvre pas : {error}").format(error=said), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0
