"""The application factory: settings in, a ready aiohttp application out."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable
from importlib.resources import files

from aiohttp import web
from sqlite_utils import Migrations

from quartier import features, i18n, openapi, views, ws
from quartier.bus import Bus, prune_forever
from quartier.clock import Clock
from quartier.db import open_database
from quartier.flash import flash_middleware
from quartier.pagecache import PageCache
from quartier.ratelimit import RateLimiter, limits_path
from quartier.routing import PUBLIC, Routes
from quartier.settings import Settings
from quartier.templates import Templates, render
from quartier.typedefs import (
    ACCESS,
    BUS,
    CHANNEL_ACCESS,
    CLOCK,
    DB,
    LIMITER,
    PAGE_CACHE,
    PARTNER_LINKS,
    PUBLIC_LINKS,
    SETTINGS,
    SLOTS,
    SOCKETS_PER_ADDRESS,
    STAFF_LINKS,
    TEMPLATES,
    WEBSOCKETS,
)
from quartier.wake import ListenWake, Wake, wake_folder
from quartier.web import (
    access_middleware,
    csrf_middleware,
    error_middleware,
    forwarded_middleware,
    identity_middleware,
    on_prepare,
    unrouted_middleware,
)

log = logging.getLogger(__name__)

home_routes = Routes()


@home_routes.get("/", name="home", access=PUBLIC)
async def home(request: web.Request) -> web.Response:
    return render(request, "home.html")


def create_app(settings: Settings) -> web.Application:
    """Build the whole application; the database opens when the app starts."""
    modules = features.load()
    i18n.load_catalogues(features.packages())
    app = web.Application(
        middlewares=[
            forwarded_middleware,
            error_middleware,
            identity_middleware,
            unrouted_middleware,
            access_middleware,
            flash_middleware,
            csrf_middleware,
        ],
        client_max_size=settings.max_body_kb * 1024,
    )
    app[SETTINGS] = settings
    app[TEMPLATES] = Templates(features.packages())
    app[LIMITER] = RateLimiter(settings.database if settings.on_postgresql else limits_path(settings.database_path))
    app[ACCESS] = {}
    app[CHANNEL_ACCESS] = {ws.REVOKE_CHANNEL: ws.NOBODY}
    app[WEBSOCKETS] = {}
    app[SOCKETS_PER_ADDRESS] = Counter()
    app[PAGE_CACHE] = PageCache()
    app[STAFF_LINKS] = []
    app[PUBLIC_LINKS] = []
    app[PARTNER_LINKS] = []
    app[SLOTS] = {}
    app[CLOCK] = Clock(settings.tz)
    app.on_response_prepare.append(on_prepare)

    migrations = features.migration_sets(modules)
    app.cleanup_ctx.append(_database(settings, migrations))
    app.on_shutdown.append(ws.close_all)

    for package in features.packages():
        static = files(package) / "static"
        if static.is_dir():
            app.router.add_static(f"/static/{package}/", str(static), name=f"static_{package}")
    for routes in (views.routes, ws.routes, openapi.routes):
        routes.add_to(app)
    for module in modules:
        if hasattr(module, "setup"):
            module.setup(app)
    if "home" not in app[ACCESS]:
        home_routes.add_to(app)
    _check_every_route_declares_access(app)
    return app


def wake_for(settings: Settings) -> Wake | ListenWake:
    """How the other processes of this database tell ours that the change log grew."""
    if settings.on_postgresql:
        return ListenWake(settings.database)
    return Wake(wake_folder(settings.database_path))


def _database(settings: Settings, migrations: list[Migrations]) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        db = open_database(settings)
        await db.open(migrations)
        bus = Bus(db, wake=wake_for(settings))
        bus.on_publish(app[PAGE_CACHE].invalidate)
        bus.on_publish(ws.follow_revocations(app))
        await bus.start()
        app[DB] = db
        app[BUS] = bus
        pruner = asyncio.create_task(prune_forever(bus, settings.changes_retention_days))
        try:
            yield
        finally:
            pruner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pruner
            await bus.stop()
            await db.close()
            app[LIMITER].close()

    return ctx


def _check_every_route_declares_access(app: web.Application) -> None:
    for route in app.router.routes():
        name = route.name or (route.resource.name if route.resource else None)
        if name and name.startswith("static_"):
            continue
        if name not in app[ACCESS]:
            raise RuntimeError(f"route {route.method} {route.resource} has no declared access")
