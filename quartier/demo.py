"""`quartier demo`: a fresh database filled by every feature, and a staff login to try it."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from quartier import auth, features
from quartier import settings as settings_module
from quartier.db import Database, open_database
from quartier.settings import Settings

DEMO_ORGANIZER = "demo"
DEMO_FACILITATOR = "animation"


@dataclass
class DemoContext:
    """What a feature's `demo(ctx)` gets: the open database, the settings and the demo's today."""

    db: Database
    settings: Settings
    today: dt.date
    now: dt.datetime  # aware, in the sites' timezone
    password: str = ""  # the demo organizer's; other demo accounts derive theirs from it


def build_demo(folder: Path, *, host: str = "127.0.0.1", port: int = 8080) -> tuple[Settings, tuple[str, str]]:
    """Write a config and a fresh demo database into folder; returns the settings and a login."""
    folder.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        (folder / f"quartier.db{suffix}").unlink(missing_ok=True)
    config = folder / settings_module.CONFIG_FILE
    config.unlink(missing_ok=True)
    fd = os.open(
        config, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600
    )  # it holds the secret key: never readable by others
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        # The goal line needs a baseline week (four weeks ago); the equipment bank's catalogue is public.
        baseline = dt.date.today() - dt.timedelta(weeks=4)
        year, week, _day = baseline.isocalendar()
        demo_settings = {"service_baseline_week": f"{year}-W{week:02d}", "means_catalogue_public": True}
        address = {"host": host, "port": port, "base_url": f"http://{host}:{port}", "database": "quartier.db"}
        f.write(settings_module.sample(**address, **demo_settings))
    settings = settings_module.load(config)
    password = secrets.token_urlsafe(9)
    asyncio.run(fill(settings, password))
    return settings, (DEMO_ORGANIZER, password)


async def fill(settings: Settings, password: str) -> None:
    modules = features.load()
    db = open_database(settings)
    await db.open(features.migration_sets(modules))
    try:
        await auth.add_user(db, DEMO_ORGANIZER, "organizer", password)
        await auth.add_user(db, DEMO_FACILITATOR, "facilitator", password + "-anim")
        now = dt.datetime.now(settings.tz)
        ctx = DemoContext(db=db, settings=settings, today=now.date(), now=now, password=password)
        for module in modules:
            if hasattr(module, "demo"):
                await module.demo(ctx)
    finally:
        await db.close()
