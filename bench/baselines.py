"""The baselines, each the least a server could do for the same job, run as `python -m bench.baselines KIND`.

ws      a `websockets` server: a publisher connects to /publish, every text it sends is
        broadcast with `websockets.broadcast` to every other connection; `?since=N`
        replays the kept messages whose seq is above N first (the reconnect storm).
sqlite  a bare aiohttp handler, POST /notes, inserting the note row with the standard
        `sqlite3` module in WAL mode, one commit per request.
page    a bare aiohttp handler answering every GET with a constant page of --size bytes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import time
from pathlib import Path


def ws_server(port: int, preload: int) -> None:
    from websockets.asyncio.server import broadcast, serve

    history: list[tuple[int, str]] = []
    for seq in range(1, preload + 1):
        history.append((seq, _message(seq, f"r{seq}")))
    subscribers: set = set()

    async def handler(connection) -> None:  # noqa: ANN001
        path = connection.request.path
        if path.startswith("/publish"):
            async for text in connection:
                seq = json.loads(text)["seq"]
                history.append((seq, text))
                broadcast(subscribers, text)
            return
        since = None
        if "since=" in path:
            since = int(path.split("since=", 1)[1].split("&", 1)[0])
        subscribers.add(connection)
        try:
            if since is not None:
                for seq, text in list(history):
                    if seq > since:
                        await connection.send(text)
            await connection.wait_closed()
        finally:
            subscribers.discard(connection)

    async def main() -> None:
        async with serve(handler, "127.0.0.1", port, compression=None, max_queue=16, ping_interval=20):
            await asyncio.Future()

    asyncio.run(main())


def _message(seq: int, text: str) -> str:
    data = {"id": seq, "board_id": 1, "theme": "autre", "text": text, "author": "", "pinned": False}
    return json.dumps(
        {"seq": seq, "channel": "board:1", "type": "note.published", "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def sqlite_server(port: int, database: Path) -> None:
    from aiohttp import web

    conn = sqlite3.connect(database, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(
        """CREATE TABLE IF NOT EXISTS notes (
            id INTEGER PRIMARY KEY, board_id INTEGER NOT NULL, theme TEXT NOT NULL, text TEXT NOT NULL,
            author TEXT NOT NULL DEFAULT '', source TEXT NOT NULL, status TEXT NOT NULL, held TEXT,
            pinned INTEGER NOT NULL DEFAULT 0, kind TEXT NOT NULL DEFAULT 'note', action_who TEXT,
            action_due TEXT, merged_into INTEGER, created REAL NOT NULL, published REAL, updated REAL NOT NULL)"""
    )

    async def post(request: web.Request) -> web.Response:
        data = await request.json()
        now = time.time()
        cur = conn.execute(
            "INSERT INTO notes (board_id, theme, text, author, source, status, created, published, updated) "
            "VALUES (?, ?, ?, ?, ?, 'published', ?, ?, ?)",
            (
                int(request.match_info["id"]),
                data.get("theme") or "autre",
                data["text"],
                data.get("author") or "",
                data.get("source") or "phone",
                now,
                now,
                now,
            ),
        )
        return web.json_response({"id": cur.lastrowid, "status": "published"}, status=201)

    app = web.Application()
    app.router.add_post("/api/v1/boards/{id}/notes", post)
    app.router.add_get("/api/v1/boards/{id}", lambda r: web.json_response({"id": 1}))
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def page_server(port: int, size: int) -> None:
    from aiohttp import web

    body = (b"<!doctype html><title>x</title>" + b"x" * size)[:size]

    async def page(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="text/html", charset="utf-8")

    app = web.Application()
    app.router.add_get("/{tail:.*}", page)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def bare_server(port: int) -> None:
    """The least an aiohttp server does before it accepts connections (the start-up baseline)."""
    from aiohttp import web

    app = web.Application()
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["ws", "sqlite", "page", "bare"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--preload", type=int, default=0)
    parser.add_argument("--database", type=Path)
    parser.add_argument("--size", type=int, default=10_000)
    args = parser.parse_args()
    if args.kind == "ws":
        ws_server(args.port, args.preload)
    elif args.kind == "sqlite":
        sqlite_server(args.port, args.database)
    elif args.kind == "page":
        page_server(args.port, args.size)
    else:
        bare_server(args.port)


if __name__ == "__main__":
    main()
