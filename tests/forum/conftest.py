"""Helpers for forum tests: a board made through the store, its facilitator key."""

from __future__ import annotations

from typing import Any

import pytest

from forum import queries, store
from quartier.typedefs import DB, SETTINGS


async def make_board(app: Any, moderation: str = "post", **kw: Any) -> dict[str, Any]:
    created = await app[DB].write(
        lambda tx: store.create_board_tx(
            tx, title="Temps fort", prompt="De quoi avez-vous besoin ?", moderation=moderation, **kw
        )
    )
    board = await app[DB].read(lambda d: queries.board(d, created["id"]))
    board["key"] = store.facilitator_key(app[SETTINGS].secret_key, board["id"], board["link_salt"])
    return board


@pytest.fixture
async def post_board(server):
    return await make_board(server.app, "post", site="maurepas")


@pytest.fixture
async def pre_board(server):
    return await make_board(server.app, "pre", site="maurepas")


async def public_texts(client: Any, board_id: int) -> list[str]:
    response = await client.get(f"/api/v1/boards/{board_id}/notes")
    assert response.status == 200
    return [n["text"] for n in (await response.json())["notes"]]
