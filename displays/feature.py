"""The display agent's place in the `quartier` command: `quartier display`.

The agent is not part of the server: it adds no routes, tables or demo data, and imports
nothing of it (quartier's CLI finds this module through quartier.features.COMMANDS and hands
it the parsers). The command replaces the `quartier` process with a lean `python -m displays`,
so the agent's resident memory holds only what it uses. On a Pi the agent is installed alone
(displays/pyproject.toml) and runs as `quartier-display`.
"""

from __future__ import annotations

import argparse
import os
import sys

from displays import config
from displays.i18n import gettext as _


def add_commands(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser("display", parents=[common], help=_(config.DESCRIPTION))
    config.add_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    argv = [sys.executable, "-m", "displays"]
    for flag in ("config", "server", "cache", "port", "power"):
        value = getattr(args, flag, None)
        if value is not None:
            argv += [f"--{flag}", str(value)]
    if args.browser:
        argv.append("--browser")
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, argv)
