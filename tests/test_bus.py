"""The change bus over /ws: replay then live, in order, no gap, no duplicate, slow clients dropped."""

import asyncio
import json
import socket

import pytest
from aiohttp import WSMsgType

from quartier.typedefs import BUS, DB


async def record(app, channel, n=1, type="note.posted"):
    return [await app[DB].write(lambda tx, i=i: tx.change(channel, type, {"i": i})) for i in range(n)]


async def receive(ws, count, timeout=5.0):
    messages = []
    while len(messages) < count:
        msg = await asyncio.wait_for(ws.receive(), timeout)
        assert msg.type == WSMsgType.TEXT, msg
        messages.append(json.loads(msg.data))
    return messages


async def test_live_changes_arrive_with_the_contract_shape(client, server):
    ws = await client.ws_connect("/ws?channels=board:1")
    await asyncio.sleep(0.05)
    await record(server.app, "board:1")
    [msg] = await receive(ws, 1)
    assert set(msg) == {"seq", "channel", "type", "data"}
    assert msg["channel"] == "board:1" and msg["type"] == "note.posted" and msg["data"] == {"i": 0}
    await ws.close()


async def test_replay_after_since_then_live_only_on_subscribed_channels(client, server):
    await record(server.app, "board:1", 3)
    await record(server.app, "board:2", 2)
    ws = await client.ws_connect("/ws?channels=board:1,programme&since=1")
    replay = await receive(ws, 2)
    assert [m["seq"] for m in replay] == [2, 3]
    await record(server.app, "board:2")
    await record(server.app, "programme")
    [live] = await receive(ws, 1)
    assert live["channel"] == "programme" and live["seq"] == 7
    await ws.close()


async def test_concurrent_writers_are_delivered_in_order_without_gap_or_duplicate(client, server):
    await record(server.app, "board:1", 5)
    ws = await client.ws_connect("/ws?channels=board:1&since=0")

    async def writer(k):
        for i in range(25):
            await server.app[DB].write(lambda tx, i=i: tx.change("board:1", "note.posted", {"w": k, "i": i}))

    await asyncio.gather(*[writer(k) for k in range(8)])
    messages = await receive(ws, 205)
    assert [m["seq"] for m in messages] == list(range(1, 206))
    await ws.close()


async def test_resume_after_a_dropped_connection(client, server):
    ws = await client.ws_connect("/ws?channels=site:cleunay&since=0")
    await record(server.app, "site:cleunay", 2)
    got = await receive(ws, 2)
    await ws.close()
    await record(server.app, "site:cleunay", 3)  # missed while away
    ws = await client.ws_connect(f"/ws?channels=site:cleunay&since={got[-1]['seq']}")
    await record(server.app, "site:cleunay", 1)
    again = await receive(ws, 4)
    assert [m["seq"] for m in got + again] == list(range(1, 7))
    await ws.close()


async def open_stalled_socket(server, channels):
    """A WebSocket client that completes the handshake and then never reads: a frozen tablet."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, (server.host, server.port))
    reader, writer = await asyncio.open_connection(sock=sock)
    writer.write(
        (
            f"GET /ws?channels={channels} HTTP/1.1\r\nHost: {server.host}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    return writer


async def test_a_stalled_subscriber_does_not_delay_a_healthy_one(client, server):
    server.app[BUS].queue_size = 20
    stalled = await open_stalled_socket(server, "board:9")
    healthy = await client.ws_connect("/ws?channels=board:9")
    await asyncio.sleep(0.1)
    assert server.app[BUS].subscriber_count("board:9") == 2
    big = "x" * 8000
    loop = asyncio.get_running_loop()
    for _batch in range(40):
        started = loop.time()
        for _ in range(10):
            await server.app[DB].write(lambda tx: tx.change("board:9", "note.posted", {"text": big}))
        got = await receive(healthy, 10, timeout=2)
        assert len(got) == 10 and loop.time() - started < 2
    # The stalled one was cut off once its queue overflowed; it resumes from its seq later.
    for _ in range(50):
        if server.app[BUS].subscriber_count("board:9") == 1:
            break
        await asyncio.sleep(0.05)
    assert server.app[BUS].subscriber_count("board:9") == 1
    await healthy.close()
    stalled.close()


async def test_reset_when_history_is_gone(client, server):
    await record(server.app, "board:1", 5)
    await server.app[DB].write(lambda tx: tx.execute("DELETE FROM changes WHERE seq <= 3"))
    ws = await client.ws_connect("/ws?channels=board:1&since=1")
    [msg] = await receive(ws, 1)
    assert msg["type"] == "reset" and msg["seq"] == 5
    await ws.close()
    ws = await client.ws_connect("/ws?channels=board:1&since=999")  # from another database
    [msg] = await receive(ws, 1)
    assert msg["type"] == "reset"
    await ws.close()


async def test_prune_keeps_the_newest_change(server):
    await record(server.app, "board:1", 4)
    removed = await server.app[BUS].prune(older_than_days=-1)
    assert removed == 3
    assert await server.app[DB].fetchall("SELECT seq FROM changes") == [{"seq": 4}]


@pytest.mark.parametrize(
    "query", ["", "channels=", "channels=Bad Channel", "channels=a&since=x", "channels=a&since=-1"]
)
async def test_bad_subscriptions_are_refused_in_json(client, query):
    response = await client.get(f"/ws?{query}", headers={"Accept-Language": "en"})
    assert response.status == 400
    body = await response.json()
    assert body["error"]["message"] and "Traceback" not in json.dumps(body)


async def test_shutdown_closes_sockets_with_going_away(client, server):
    ws = await client.ws_connect("/ws?channels=board:1")
    await asyncio.sleep(0.05)
    shutdown = asyncio.create_task(server.close())
    msg = await asyncio.wait_for(ws.receive(), 5)  # a live client reads while the server stops
    await shutdown
    assert msg.type == WSMsgType.CLOSE and ws.close_code == 1001


@pytest.mark.parametrize("size", [10, 200, 70_000])  # the three frame length encodings of RFC 6455
async def test_live_messages_written_once_for_all_arrive_whole_and_in_order(client, server, make_client, size):
    """Issue 11: a live change's frame is built once and written straight to every socket."""
    sockets = [await client.ws_connect("/ws?channels=board:3")]
    for _ in range(2):
        sockets.append(await (await make_client()).ws_connect("/ws?channels=board:3", max_msg_size=0))
    await asyncio.sleep(0.05)
    text = "é" * size
    seqs = [
        await server.app[DB].write(lambda tx, i=i: tx.change("board:3", "note.posted", {"i": i, "t": text}))
        for i in range(5)
    ]
    for ws in sockets:
        got = await receive(ws, 5)
        assert [m["seq"] for m in got] == seqs and [m["data"]["i"] for m in got] == list(range(5))
        assert all(m["data"]["t"] == text for m in got)
        await ws.close()


async def test_the_server_does_not_compress_messages(client):
    ws = await client.ws_connect("/ws?channels=board:1", compress=15)
    assert ws.compress == 0  # permessage-deflate declined: small messages, one zlib context per socket saved
    await ws.close()


async def test_a_long_absence_is_replayed_a_page_at_a_time_in_order(client, server):
    """A screen back after a day gets its history in bounded reads (REPLAY_PAGE), whole and in order."""
    from quartier.bus import REPLAY_PAGE

    def many(tx):
        return [tx.change("site:maurepas" if i % 3 else "board:7", "x", {"i": i}) for i in range(2 * REPLAY_PAGE + 40)]

    seqs = await server.app[DB].write(many)
    bus = server.app[BUS]
    pages = [p async for p in bus.history(["site:maurepas", "board:7"], 0, bus.last_seq)]
    assert [len(p) for p in pages] == [REPLAY_PAGE, REPLAY_PAGE, 40]
    assert [c.seq for p in pages for c in p] == seqs
    ws = await client.ws_connect("/ws?channels=site:maurepas,board:7&since=0")
    got = await receive(ws, len(seqs))
    assert [m["seq"] for m in got] == seqs
    await record(server.app, "board:7")  # then live, no gap
    [live] = await receive(ws, 1)
    assert live["seq"] == seqs[-1] + 1
