"""Issue 22: polls with pictogram answers whose results stay hidden until the facilitator reveals them."""

from __future__ import annotations

from typing import Any

from forum import store
from quartier.typedefs import SETTINGS
from tests.conftest import form

OPTIONS = [
    {"label": "Oui", "icon": "oui"},
    {"label": "Non", "icon": "non"},
    {"label": "Je ne sais pas", "icon": "peut-etre"},
]


async def open_poll(client: Any, board: dict[str, Any]) -> dict[str, Any]:
    r = await client.post(
        f"/api/v1/boards/{board['id']}/polls",
        json={"question": "Un atelier le samedi ?", "options": OPTIONS},
        params={"key": board["key"]},
    )
    assert r.status == 201, await r.text()
    return await r.json()


async def phone(make_client: Any) -> Any:
    c = await make_client()
    await c.get("/j")
    return c


async def test_results_stay_hidden_until_revealed(client, make_client, post_board):
    poll = await open_poll(client, post_board)
    assert poll["counts"] is None
    phones = [await phone(make_client) for _ in range(3)]
    for c, choice in zip(phones, (0, 0, 1), strict=True):
        r = await c.post(f"/api/v1/polls/{poll['id']}/answers", json={"choice": choice})
        assert r.status == 201, await r.text()
    # A phone changes its mind: still one answer.
    await phones[2].post(f"/api/v1/polls/{poll['id']}/answers", json={"choice": 0})
    [seen] = (await (await client.get(f"/api/v1/boards/{post_board['id']}/polls")).json())["polls"]
    assert seen["answers"] == 3 and seen["counts"] is None
    wall = await (await client.get(f"/forum/boards/{post_board['id']}/wall")).text()
    assert "Un atelier le samedi ?" in wall and 'data-revealed="false"' in wall
    r = await client.post(
        f"/api/v1/boards/{post_board['id']}/polls/{poll['id']}/reveal", json={}, params={"key": post_board["key"]}
    )
    assert r.status == 200 and (await r.json())["counts"] == [3, 0, 0]
    [seen] = (await (await client.get(f"/api/v1/boards/{post_board['id']}/polls")).json())["polls"]
    assert seen["counts"] == [3, 0, 0]


async def test_residents_cannot_reveal_and_bad_answers_are_refused_in_words(client, make_client, post_board):
    poll = await open_poll(client, post_board)
    assert (await client.post(f"/api/v1/boards/{post_board['id']}/polls/{poll['id']}/reveal", json={})).status in (
        401,
        403,
    )
    c = await phone(make_client)
    r = await c.post(f"/api/v1/polls/{poll['id']}/answers", json={"choice": 5})
    assert r.status == 422 and (await r.json())["error"]["message"] == "Cette réponse n'existe pas."
    r = await client.post(
        f"/api/v1/boards/{post_board['id']}/polls",
        json={"question": "Une autre ?", "options": OPTIONS},
        params={"key": post_board["key"]},
    )
    assert r.status == 409
    r = await client.post(
        f"/api/v1/boards/{post_board['id']}/polls",
        json={"question": "Seule ?", "options": OPTIONS[:1]},
        params={"key": post_board["key"]},
    )
    assert r.status == 422


async def test_each_tap_on_the_shared_tablet_is_one_answer(server, make_client, post_board):
    await open_poll(await make_client(), post_board)
    kiosk = store.kiosk_key(server.app[SETTINGS].secret_key, post_board["id"], post_board["link_salt"])
    tablet = await make_client()
    page = await tablet.get(f"/forum/boards/{post_board['id']}/poll/tablet", params={"kiosk": kiosk})
    assert page.status == 200
    url = f"/forum/boards/{post_board['id']}/poll/tablet?kiosk={kiosk}"
    r = await form(tablet, url, {"poll": "1", "choice": "1"}, allow_redirects=False)
    assert r.status == 303 and "done=1" in r.headers["Location"]
    r = await form(tablet, url, {"poll": "1", "choice": "1"})
    assert r.status == 409  # the next person waits 3 seconds: no stuffing from one tablet
    # Without the kiosk key the tablet page is staff's: the login page.
    r = await tablet.get(f"/forum/boards/{post_board['id']}/poll/tablet", allow_redirects=False)
    assert r.status in (302, 303, 401, 403)
