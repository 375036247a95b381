"""On PostgreSQL the rate limits are a table of the database, on another host in production: a
hit that waits on that server waits on the limiter's own thread, never on the event loop that
serves every other request of the worker."""

from __future__ import annotations

import asyncio

import psycopg
from aiohttp.test_utils import TestClient, TestServer

from quartier.app import create_app

from .conftest import settings_for
from .forum.conftest import make_board


async def test_a_note_whose_rate_limit_waits_on_the_database_leaves_the_worker_answering(tmp_path, postgres):
    name = postgres.create_database()
    app = create_app(settings_for(tmp_path, postgres.url(name)))
    server = TestServer(app)
    phone = TestClient(server)
    await phone.start_server()
    try:
        board = await make_board(app, "post")
        assert (await phone.get("/healthz")).status == 200  # the phone's cookie: its first hit made the table
        with psycopg.connect(postgres.url(name), autocommit=True) as holder:
            holder.execute("BEGIN")
            holder.execute("LOCK TABLE buckets IN ACCESS EXCLUSIVE MODE")  # a database server that does not answer
            posting = asyncio.ensure_future(
                phone.post(f"/api/v1/boards/{board['id']}/notes", json={"text": "Des bancs au square"})
            )
            await asyncio.sleep(0.3)
            assert not posting.done()  # its limits wait on the database...
            health = await asyncio.wait_for(phone.get("/healthz"), 2.0)  # ...and the worker still answers
            assert health.status == 200
            wall = await asyncio.wait_for(phone.get(f"/forum/boards/{board['id']}/wall"), 2.0)
            assert wall.status == 200
            holder.execute("COMMIT")
        response = await asyncio.wait_for(posting, 5.0)
        assert response.status == 201, await response.text()
    finally:
        await phone.close()
    postgres.drop_database(name)
