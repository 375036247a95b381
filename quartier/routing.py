"""Routes that declare who may call them.

Every route is added through `Routes` with a name and an `Access`; the access
middleware enforces it, and `app[ACCESS]` lets a test enumerate every route and
prove that none of the protected ones answers an anonymous request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

from quartier.typedefs import ACCESS

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Check = Callable[[web.Request], Awaitable[bool]]


@dataclass(frozen=True)
class Access:
    """Who may call a route: anyone, staff of some roles, and/or whoever passes `check`.

    `check` is another way in besides a staff role, such as a board's facilitator
    link or a screen's display token; it must not raise for a stranger.
    """

    name: str
    roles: frozenset[str] | None = None  # None: no staff role needed
    check: Check | None = None

    @property
    def public(self) -> bool:
        return self.roles is None and self.check is None

    def __or__(self, other: Access) -> Access:
        """Either way in: staff roles of one, or the check of the other."""
        roles = (self.roles or frozenset()) | (other.roles or frozenset())
        checks = [c for c in (self.check, other.check) if c]

        async def any_check(request: web.Request) -> bool:
            for c in checks:
                if await c(request):
                    return True
            return False

        return Access(f"{self.name}|{other.name}", roles or None, any_check if checks else None)


PUBLIC = Access("public")
STAFF = Access("staff", frozenset({"organizer", "facilitator"}))
ORGANIZER = Access("organizer", frozenset({"organizer"}))
# A partner organisation's account (issue 18): only the routes that say so, and only for its own
# organisation, which each such route checks; `STAFF | PARTNER` lets both in.
PARTNER = Access("partner", frozenset({"partner"}))


def check(name: str, fn: Check) -> Access:
    """An access granted by a check alone (a display token, a facilitator link)."""
    return Access(name, None, fn)


@dataclass
class Routes:
    """A feature's routes, each with a name and an access rule."""

    entries: list[tuple[str, str, Handler, str, Access]] = field(default_factory=list)

    def route(self, method: str, path: str, *, name: str, access: Access) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.entries.append((method, path, handler, name, access))
            return handler

        return register

    def get(self, path: str, *, name: str, access: Access) -> Callable[[Handler], Handler]:
        return self.route("GET", path, name=name, access=access)

    def post(self, path: str, *, name: str, access: Access) -> Callable[[Handler], Handler]:
        return self.route("POST", path, name=name, access=access)

    def put(self, path: str, *, name: str, access: Access) -> Callable[[Handler], Handler]:
        return self.route("PUT", path, name=name, access=access)

    def patch(self, path: str, *, name: str, access: Access) -> Callable[[Handler], Handler]:
        return self.route("PATCH", path, name=name, access=access)

    def delete(self, path: str, *, name: str, access: Access) -> Callable[[Handler], Handler]:
        return self.route("DELETE", path, name=name, access=access)

    def add_to(self, app: web.Application) -> None:
        for method, path, handler, name, access in self.entries:
            if name in app[ACCESS]:
                raise ValueError(f"route name {name!r} is used twice")
            app.router.add_route(method, path, handler, name=name)
            app[ACCESS][name] = access


def access_of(request: web.Request) -> Access | None:
    """The access rule of the route a request matched; None for static files and 404s."""
    route = request.match_info.route
    name = route.name if route.resource is not None else None
    if name is None:
        return None
    return request.app[ACCESS].get(name)
