"""Floods do not drown others: a device posting as fast as it can is slowed, its neighbours are not.

A whole social centre shares one Wi-Fi address: twenty residents on the same IP keep
posting normally while one device floods, and the facilitator console stays responsive.
"""

import asyncio
import time

from forum import store
from quartier.typedefs import DB, SETTINGS


async def test_one_flooding_device_gets_429_while_twenty_neighbours_post_and_the_console_answers(make_client, server):
    board = await server.app[DB].write(lambda tx: store.create_board_tx(tx, title="Forum", moderation="post"))
    row = await server.app[DB].fetchone("SELECT link_salt FROM forum_boards WHERE id = ?", (board["id"],))
    key = store.facilitator_key(server.app[SETTINGS].secret_key, board["id"], row["link_salt"])
    url = f"/api/v1/boards/{board['id']}/notes"
    flooder = await make_client()
    await flooder.get("/healthz")
    neighbours = [await make_client() for _ in range(20)]
    for n in neighbours:
        await n.get("/healthz")
    console = await make_client()

    statuses: list[int] = []
    retry_after: list[str] = []
    stop = asyncio.Event()

    async def flood():
        i = 0
        while not stop.is_set():
            r = await flooder.post(url, json={"text": f"spam {i}"})
            statuses.append(r.status)
            if r.status == 429:
                retry_after.append(r.headers.get("Retry-After", ""))
            i += 1

    async def neighbour(n, k):
        results = []
        for i in range(3):  # three ideas each, a few seconds apart in real life
            r = await n.post(url, json={"text": f"idée {k}-{i}"})
            results.append(r.status)
            await asyncio.sleep(0.05)
        return results

    flooding = asyncio.create_task(flood())
    await asyncio.sleep(0.2)
    latencies = []
    for _ in range(5):
        started = time.perf_counter()
        page = await console.get(f"/forum/boards/{board['id']}/console?key={key}")
        latencies.append(time.perf_counter() - started)
        assert page.status == 200
    results = await asyncio.gather(*[neighbour(n, k) for k, n in enumerate(neighbours)])
    stop.set()
    await flooding

    assert statuses.count(429) > 10 and all(r.isdigit() and int(r) > 0 for r in retry_after)
    assert all(s == [201, 201, 201] for s in results), results
    assert max(latencies) < 1.0, latencies
