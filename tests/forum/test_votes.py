"""Dot voting: budgets per device and per tablet turn, closed rounds, merges keep the sums."""

import asyncio
import json
import re

from forum import votes
from quartier.typedefs import DB
from tests.conftest import form

from .conftest import make_board


async def post(client, board, text):
    response = await client.post(f"/api/v1/boards/{board['id']}/notes", json={"text": text})
    assert response.status == 201
    return (await response.json())["id"]


async def phone(make_client):
    """A resident's phone: it has visited a page, so it holds its device cookie."""
    c = await make_client()
    await c.get("/healthz")
    return c


async def open_round(client, board, **body):
    response = await client.post(
        f"/api/v1/boards/{board['id']}/rounds", json={"title": "Besoins", **body}, params={"key": board["key"]}
    )
    assert response.status == 201, await response.text()
    return await response.json()


async def vote(client, note_id, **body):
    return await client.post(f"/api/v1/notes/{note_id}/votes", json=body)


async def test_a_phone_has_its_budget_and_gets_a_clear_refusal_beyond_it(client, make_client, post_board):
    notes = [await post(client, post_board, t) for t in ("Du wifi", "Une imprimante", "Un écrivain public", "Le soir")]
    r = await open_round(client, post_board, budget=3)
    assert r["state"] == "open" and r["budget"] == 3 and [row["votes"] for row in r["ranking"]] == [0, 0, 0, 0]
    alice = await phone(make_client)
    for i, n in enumerate(notes[:3]):
        response = await vote(alice, n)
        assert response.status == 201
        body = await response.json()
        assert body["used"] == i + 1 and body["left"] == 2 - i and body["votes"] == 1
    response = await vote(alice, notes[3])
    assert response.status == 409
    error = (await response.json())["error"]
    assert error["code"] == "over_budget" and error["message"] == "Vous avez déjà posé vos 3 gommettes."
    english = await alice.post(f"/api/v1/notes/{notes[3]}/votes", json={}, headers={"Accept-Language": "en"})
    assert "3 dots" in (await english.json())["error"]["message"]
    # Taking a dot back frees it; another phone has its own budget.
    assert (await vote(alice, notes[0], remove=True)).status == 200
    assert (await vote(alice, notes[3])).status == 201
    bob = await phone(make_client)
    assert (await vote(bob, notes[3])).status == 201
    rounds = (await (await client.get(f"/api/v1/boards/{post_board['id']}/rounds")).json())["rounds"]
    ranking = {row["note"]: row["votes"] for row in rounds[0]["ranking"]}
    assert ranking == {notes[0]: 0, notes[1]: 1, notes[2]: 1, notes[3]: 2}
    assert rounds[0]["ranking"][0]["note"] == notes[3]
    assert rounds[0]["voters"] == 2 and rounds[0]["dots"] == 4


async def test_one_dot_per_note_unless_the_round_allows_stacking(client, make_client, post_board):
    note = await post(client, post_board, "Du wifi")
    r = await open_round(client, post_board, budget=3)
    alice = await phone(make_client)
    assert (await vote(alice, note)).status == 201
    response = await vote(alice, note)
    assert response.status == 409 and (await response.json())["error"]["code"] == "one_per_note"
    await client.post(
        f"/api/v1/boards/{post_board['id']}/rounds/{r['id']}/close", json={}, params={"key": post_board["key"]}
    )
    await open_round(client, post_board, budget=2, stack=True)
    assert (await vote(alice, note)).status == 201
    body = await (await vote(alice, note)).json()
    assert body["mine"] == 2 and body["left"] == 0


async def test_no_vote_outside_an_open_round_and_closing_freezes_the_result(client, make_client, post_board):
    a, b = await post(client, post_board, "Du wifi"), await post(client, post_board, "Une imprimante")
    alice = await phone(make_client)
    response = await vote(alice, a)
    assert response.status == 409 and (await response.json())["error"]["code"] == "no_round"
    r = await open_round(client, post_board)
    assert (await vote(alice, b)).status == 201
    # Only one round at a time.
    again = await client.post(
        f"/api/v1/boards/{post_board['id']}/rounds", json={"title": "Encore"}, params={"key": post_board["key"]}
    )
    assert again.status == 409
    closed = await client.post(
        f"/api/v1/boards/{post_board['id']}/rounds/{r['id']}/close", json={}, params={"key": post_board["key"]}
    )
    assert closed.status == 200
    frozen = (await closed.json())["ranking"]
    assert [(row["note"], row["votes"]) for row in frozen] == [(b, 1), (a, 0)]
    response = await vote(alice, a)
    assert response.status == 409 and (await response.json())["error"]["code"] == "no_round"
    # A vote for a round that is not the open one is refused too.
    r2 = await open_round(client, post_board, title="Actions")
    response = await vote(alice, a, round=r["id"])
    assert response.status == 409
    assert (await vote(alice, a, round=r2["id"])).status == 201
    # The first round's result stays frozen whatever happens to the notes after.
    await client.post(f"/api/v1/notes/{b}/moderation", json={"action": "delete"}, params={"key": post_board["key"]})
    rounds = (await (await client.get(f"/api/v1/boards/{post_board['id']}/rounds")).json())["rounds"]
    assert [x["title"] for x in rounds] == ["Besoins", "Actions"]
    assert [(row["note"], row["votes"]) for row in rounds[0]["ranking"]] == [(b, 1), (a, 0)]
    assert rounds[0]["state"] == "closed" and rounds[1]["state"] == "open"


async def test_only_the_facilitator_opens_and_closes_rounds(client, post_board):
    response = await client.post(f"/api/v1/boards/{post_board['id']}/rounds", json={"title": "X"})
    assert response.status == 401
    response = await client.post(
        f"/api/v1/boards/{post_board['id']}/rounds", json={"title": "X"}, params={"key": "nope"}
    )
    assert response.status in (401, 403)


async def test_merged_notes_keep_the_sum_of_their_dots(client, make_client, post_board):
    a, b, c = [await post(client, post_board, t) for t in ("Aide CAF", "Aide pour la CAF", "Du wifi")]
    await open_round(client, post_board, budget=3)
    voters = [await phone(make_client) for _ in range(3)]
    for v in voters[:2]:
        assert (await vote(v, a)).status == 201
    assert (await vote(voters[2], b)).status == 201
    assert (await vote(voters[2], c)).status == 201
    ws = await client.ws_connect(f"/ws?channels=board:{post_board['id']}")
    await asyncio.sleep(0.05)
    merged = await client.post(
        f"/api/v1/notes/{b}/moderation", json={"action": "merge", "into": a}, params={"key": post_board["key"]}
    )
    assert merged.status == 200
    msgs = []
    while True:
        try:
            msgs.append(json.loads((await ws.receive(timeout=0.5)).data))
        except TimeoutError:
            break
    await ws.close()
    [update] = [m for m in msgs if m["type"] == "votes.updated"]
    assert update["data"]["counts"] == {str(a): 3, str(c): 1}
    rounds = (await (await client.get(f"/api/v1/boards/{post_board['id']}/rounds")).json())["rounds"]
    assert [(row["note"], row["votes"]) for row in rounds[0]["ranking"]] == [(a, 3), (c, 1)]
    # A dot on the merged-away note goes to the note that absorbed it; the one-per-note rule follows.
    late = await phone(make_client)
    body = await (await vote(late, b)).json()
    assert body["note"] == a and body["votes"] == 4
    response = await vote(voters[2], a)
    assert response.status == 409 and (await response.json())["error"]["code"] == "one_per_note"


async def test_votes_reach_the_public_channel_without_device_ids(client, make_client, post_board):
    note = await post(client, post_board, "Du wifi")
    r = await open_round(client, post_board)
    ws = await client.ws_connect(f"/ws?channels=board:{post_board['id']}")
    await asyncio.sleep(0.05)
    alice = await phone(make_client)
    await vote(alice, note)
    msg = json.loads((await ws.receive(timeout=1)).data)
    await ws.close()
    assert msg["type"] == "vote.cast"
    assert msg["data"] == {"round": r["id"], "note": note, "votes": 1, "dots": 1, "voters": 1}
    device = next(c.value for c in alice.session.cookie_jar if c.key == "quartier_device")
    assert device not in json.dumps(msg)


async def test_a_client_without_the_device_cookie_cannot_vote(client, make_client, post_board):
    note = await post(client, post_board, "Du wifi")
    await open_round(client, post_board)
    fresh = await make_client()
    response = await vote(fresh, note)
    assert response.status == 409 and (await response.json())["error"]["code"] == "no_device"


async def test_the_phone_ballot_works_without_javascript(client, make_client, post_board):
    note = await post(client, post_board, "Du wifi")
    await open_round(client, post_board, budget=1)
    alice = await phone(make_client)
    page = await alice.get(f"/j/{post_board['code']}")
    assert "Un vote est ouvert" in await page.text()
    url = f"/j/{post_board['code']}/vote"
    response = await form(alice, url, {"note": str(note)}, allow_redirects=False)
    assert response.status == 303
    html = await (await alice.get(url)).text()
    assert "Il vous reste 0 gommette sur 1." in html
    response = await form(alice, url, {"note": str(note)})
    assert response.status == 409 and "Vous avez déjà posé votre gommette." in await response.text()


def turn_from(location):
    return re.search(r"turn=([^&]+)", location).group(1)


async def test_each_voter_turn_on_the_tablet_gets_the_budget_then_resets(client, make_client, post_board):
    a, b = await post(client, post_board, "Du wifi"), await post(client, post_board, "Une imprimante")
    await open_round(client, post_board, budget=1)
    kiosk = await (
        await client.get(f"/forum/boards/{post_board['id']}/votes", params={"key": post_board["key"]})
    ).text()
    tablet_url = re.search(r'href="([^"]*/vote/tablet\?kiosk=[^"]+)"', kiosk).group(1).replace("&amp;", "&")
    tablet = await phone(make_client)
    assert (await tablet.get(tablet_url)).status == 200
    key = tablet_url.split("kiosk=")[1]
    turn_url = f"/forum/boards/{post_board['id']}/vote/tablet/turn?kiosk={key}"

    first = await form(tablet, turn_url, {}, allow_redirects=False)
    t1 = turn_from(first.headers["Location"])
    # Pressing "next voter" again before voting gives the same turn: no free budget.
    again = await form(tablet, turn_url, {}, allow_redirects=False)
    assert turn_from(again.headers["Location"]) == t1
    assert (await vote(tablet, a, turn=t1)).status == 201
    assert (await vote(tablet, b, turn=t1)).status == 409  # budget of this turn spent

    second = await form(tablet, turn_url, {}, allow_redirects=False)
    t2 = turn_from(second.headers["Location"])
    assert t2 != t1
    page = await (await tablet.get(second.headers["Location"])).text()
    assert "Il vous reste 1 gommette sur 1." in page  # the new person starts afresh
    assert (await vote(tablet, b, turn=t2)).status == 201
    # A turn belongs to its tablet: another device cannot use it.
    thief = await phone(make_client)
    response = await vote(thief, a, turn=t2)
    assert response.status == 409 and (await response.json())["error"]["code"] == "invalid_turn"
    # Without the kiosk key, no turns.
    response = await form(
        thief, f"/forum/boards/{post_board['id']}/vote/tablet/turn?kiosk=wrong", {}, allow_redirects=False
    )
    assert response.status in (303, 401, 403) and "turn=" not in response.headers.get("Location", "")
    rounds = (await (await client.get(f"/api/v1/boards/{post_board['id']}/rounds")).json())["rounds"]
    assert rounds[0]["voters"] == 2


async def test_a_round_with_an_end_time_stops_taking_dots(client, make_client, server, post_board):
    note = await post(client, post_board, "Du wifi")
    r = await server.app[DB].write(lambda tx: votes.open_round_tx(tx, post_board["id"], title="Vite", ends=10**10))
    await server.app[DB].write(lambda tx: tx.execute("UPDATE forum_rounds SET ends = 1 WHERE id = ?", (r["id"],)))
    alice = await phone(make_client)
    response = await vote(alice, note)
    assert response.status == 409
    # The next round can open: the ended one is frozen first.
    r2 = await open_round(client, post_board, title="Suite")
    rounds = await server.app[DB].read(lambda d: votes.rounds(d, post_board["id"]))
    assert rounds[0]["frozen"] and rounds[1]["id"] == r2["id"]


async def test_the_wall_shows_the_ranking_while_a_round_is_open(client, post_board):
    note = await post(client, post_board, "Du wifi")
    html = await (await client.get(f"/forum/boards/{post_board['id']}/wall")).text()
    assert 'class="wall voting"' not in html
    await open_round(client, post_board, title="Nos priorités")
    html = await (await client.get(f"/forum/boards/{post_board['id']}/wall")).text()
    assert "voting" in re.search(r'<body class="([^"]*)"', html).group(1)
    assert "Nos priorités" in html and f'data-note-id="{note}"' in html


async def test_the_vote_console_opens_and_closes_rounds_by_form(facilitator, make_client):
    board = await make_board(facilitator.server.app, "post")
    url = f"/forum/boards/{board['id']}/votes"
    response = await form(facilitator, url, {"title": "Besoins", "budget": "2"}, allow_redirects=False)
    assert response.status == 303
    html = await (await facilitator.get(url)).text()
    assert "Vote en cours" in html and "Clore le vote" in html
    rid = int(re.search(r'name="round" value="(\d+)"', html).group(1))
    response = await form(facilitator, f"{url}/close", {"round": str(rid)}, allow_redirects=False)
    assert response.status == 303
    html = await (await facilitator.get(url)).text()
    assert "Ouvrir le vote" in html and "Besoins" in html


async def test_one_voter_is_one_votant_in_both_languages(client, make_client, post_board):
    """Issue 23: "1 votants" — each count of the totals has its own plural (ngettext)."""
    note = await post(client, post_board, "Du wifi")
    await open_round(client, post_board, budget=3)
    assert (await vote(await phone(make_client), note)).status == 201
    url = f"/forum/boards/{post_board['id']}/votes?key={post_board['key']}"
    html = await (await client.get(url)).text()
    assert "1 votant · 1 gommette" in html and "1 votants" not in html
    english = await (await client.get(url, headers={"Accept-Language": "en"})).text()
    assert "1 voter · 1 dot" in english
