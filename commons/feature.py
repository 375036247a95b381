"""What the partners share, plugged into Quartier (its tables and routes arrive with the commons issues)."""

from __future__ import annotations

from aiohttp import web

__all__ = ["setup"]


def setup(app: web.Application) -> None:
    """Nothing to add yet: the package holds its place on the ladder, between events and referral."""
