"""The feature packages the application is assembled from, and what each may provide.

Each feature package has a `feature` module exposing any of:

- `migrations`: a sqlite_utils.Migrations set (or a tuple of sets), applied at start-up;
- `setup(app)`: add its routes (quartier.routing.Routes), channel access rules, staff links;
- `add_commands(subparsers, common)`: its `quartier` subcommands (argparse; `common`
  is the parent parser that gives every command `--config`);
- `async demo(ctx)`: its part of the demo data (quartier.demo.DemoContext);
- `organisation_id(db, key)`: the id of the organisation a partner account belongs to, from its
  key or name in the partners registry, or None (the feature that keeps the registry gives it).

This is the one place that knows the features; the core never imports their internals.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

from sqlite_utils import Migrations

# The ladder (DESIGN.md), lowest first: each package imports only from those before it. The
# order is also the demo's (the programme first, then what refers to it) and the routes'.
FEATURES: tuple[str, ...] = ("events", "commons", "referral", "forum", "reports", "signage")
# Packages that only add `quartier` subcommands (and their translations), never anything to the
# server: the Raspberry Pi display agent runs on the Pi, not in the server's process.
COMMANDS: tuple[str, ...] = ("displays",)


def load() -> list[ModuleType]:
    return [importlib.import_module(f"{name}.feature") for name in FEATURES]


def command_modules() -> list[ModuleType]:
    """Every module that may add `quartier` subcommands: the features, then the command-only packages."""
    return [*load(), *(importlib.import_module(f"{name}.feature") for name in COMMANDS)]


def migration_sets(modules: list[ModuleType]) -> list[Migrations]:
    """Every feature's migration sets, in feature order (a feature may give a tuple of sets)."""
    sets: list[Migrations] = []
    for module in modules:
        found = getattr(module, "migrations", None)
        if isinstance(found, (list, tuple)):
            sets.extend(found)
        elif found is not None:
            sets.append(found)
    return sets


def packages() -> list[str]:
    """Every package the server serves templates, static files and translations from: the core, then the features."""
    return ["quartier", *FEATURES]


def translated_packages() -> list[str]:
    """Every package with translations: the server's, then the command-only packages (for the CLI)."""
    return [*packages(), *COMMANDS]


def organisation_resolver(modules: list[ModuleType]) -> Callable[[Any, str], Any] | None:
    """`organisation_id(db, key)` of the feature that keeps the partners registry, if any."""
    return next((m.organisation_id for m in modules if hasattr(m, "organisation_id")), None)
