"""The console asks before deleting, and a deletion can be undone for a few seconds (issue 23).

Undoing puts the note back on the wall and the console through the bus, with its dots and the
notes merged into it; after the window the copy is gone and undo says it is too late. Merging
picks the other note from a list instead of a typed number.
"""

import asyncio
import contextlib
import json
import time

from forum import queries, trash
from quartier.typedefs import DB
from tests.conftest import form, text_of

from .conftest import public_texts
from .test_moderation import post, receive


async def test_delete_asks_first_without_scripts(client, post_board):
    bid, key = post_board["id"], post_board["key"]
    note = await post(client, post_board, "Une idée à effacer")
    # The console's button without confirmation leads to a page that asks, and deletes nothing.
    r = await form(client, f"/forum/notes/{note['id']}/moderate?key={key}", {"action": "delete"}, allow_redirects=False)
    assert r.status == 303 and r.headers["Location"].startswith(f"/forum/notes/{note['id']}/delete?key=")
    page = await client.get(r.headers["Location"])
    assert page.status == 200
    words = text_of(await page.text())
    assert "Supprimer la note n° " in words and "Une idée à effacer" in words and "15 secondes" in words
    assert await public_texts(client, bid) == ["Une idée à effacer"]
    stranger = await client.get(f"/forum/notes/{note['id']}/delete", allow_redirects=False)
    assert stranger.status == 303 and stranger.headers["Location"].startswith("/login")  # not without the key


async def test_undo_brings_the_note_back_on_the_wall_and_the_console(client, make_client, post_board):
    bid, key = post_board["id"], post_board["key"]
    note = await post(client, post_board, "Des ateliers le samedi", author="Awa")
    merged = await post(client, post_board, "Ateliers le week-end")
    moderated = f"/forum/notes/{merged['id']}/moderate?key={key}"
    assert (await form(client, moderated, {"action": "merge", "into": str(note["id"])})).status == 200
    wall = await (await make_client()).ws_connect(f"/ws?channels=board:{bid}")
    await receive(wall, 0.3)

    url = f"/forum/notes/{note['id']}/moderate?key={key}"
    r = await form(client, url, {"action": "delete", "confirm": "yes"}, allow_redirects=False)
    assert r.status == 303 and f"deleted={note['id']}" in r.headers["Location"]
    assert [m["type"] for m in await receive(wall)] == ["note.removed"]
    assert await public_texts(client, bid) == []
    console = text_of(await (await client.get(r.headers["Location"])).text())
    assert f"Note n° {note['id']} supprimée : « Des ateliers le samedi »." in console
    assert "Annuler la suppression" in console

    restore = f"/forum/boards/{bid}/console/restore?key={key}"
    r = await form(client, restore, {"note": str(note["id"])}, allow_redirects=False)
    assert r.status == 303 and r.headers["Location"].endswith(f"#note-{note['id']}")
    [back] = [m for m in await receive(wall) if m["type"] == "note.published"]
    assert back["data"]["id"] == note["id"] and back["data"]["text"] == "Des ateliers le samedi"
    assert back["data"]["author"] == "Awa" and back["data"]["count"] == 2  # the merged note counts again
    assert await public_texts(client, bid) == ["Des ateliers le samedi"]
    again = await form(client, restore, {"note": str(note["id"])})
    assert again.status == 409 and "Trop tard pour annuler" in text_of(await again.text())
    await wall.close()


async def test_after_the_window_the_copy_is_purged_and_undo_is_refused(client, server, post_board):
    bid, key = post_board["id"], post_board["key"]
    note = await post(client, post_board, "Un texte avec un prénom", author="Léa")
    await form(client, f"/forum/notes/{note['id']}/moderate?key={key}", {"action": "delete", "confirm": "yes"})
    kept = await server.app[DB].fetchone("SELECT note FROM forum_deleted_notes WHERE note_id = ?", [note["id"]])
    assert json.loads(kept["note"])["author"] == "Léa"
    later = time.time() + trash.UNDO_SECONDS + trash.GRACE_SECONDS + 1
    await server.app[DB].write(lambda tx: trash.purge_tx(tx, later))
    assert await server.app[DB].fetchone("SELECT count(*) AS n FROM forum_deleted_notes") == {"n": 0}
    r = await form(client, f"/forum/boards/{bid}/console/restore?key={key}", {"note": str(note["id"])})
    assert r.status == 409
    assert await server.app[DB].read(lambda d: queries.note(d, note["id"])) is None


async def test_undo_after_a_new_note_took_the_id_gives_the_note_a_new_one(client, server, post_board):
    bid, key = post_board["id"], post_board["key"]
    note = await post(client, post_board, "La dernière note")
    await form(client, f"/forum/notes/{note['id']}/moderate?key={key}", {"action": "delete", "confirm": "yes"})
    newcomer = await post(client, post_board, "Arrivée entre-temps")
    assert newcomer["id"] == note["id"]  # SQLite hands out the highest id again
    r = await form(client, f"/forum/boards/{bid}/console/restore?key={key}", {"note": str(note["id"])})
    assert r.status == 200
    assert sorted(await public_texts(client, bid)) == ["Arrivée entre-temps", "La dernière note"]


async def test_merging_picks_the_other_note_from_a_list(client, post_board):
    bid, key = post_board["id"], post_board["key"]
    first = await post(client, post_board, "Plus d'ordinateurs", theme="acces-libre")
    other = await post(client, post_board, "Aide pour la CAF", theme="droits")
    second = await post(client, post_board, "Des ordinateurs en plus", theme="acces-libre")
    console = await (await client.get(f"/forum/boards/{bid}/console?key={key}")).text()
    assert 'name="into"' not in console  # no number to type any more
    page = await client.get(f"/forum/notes/{second['id']}/merge?key={key}")
    assert page.status == 200
    html = await page.text()
    # Every other note is offered, the same theme first.
    assert html.index(f'value="{first["id"]}"') < html.index(f'value="{other["id"]}"')
    assert f'value="{second["id"]}"' not in html and 'type="radio"' in html
    r = await form(
        client, f"/forum/notes/{second['id']}/moderate?key={key}", {"action": "merge", "into": str(first["id"])}
    )
    assert r.status == 200
    assert sorted(await public_texts(client, bid)) == ["Aide pour la CAF", "Plus d'ordinateurs"]


async def test_a_quiet_server_still_forgets_deleted_notes(client, server, post_board):
    note = await post(client, post_board, "Personne ne poste après", author="Léa")
    key = post_board["key"]
    await form(client, f"/forum/notes/{note['id']}/moderate?key={key}", {"action": "delete", "confirm": "yes"})
    old = time.time() - trash.UNDO_SECONDS - trash.GRACE_SECONDS - 1
    await server.app[DB].write(lambda tx: tx.execute("UPDATE forum_deleted_notes SET deleted = ?", (old,)))
    task = asyncio.create_task(trash.purge_forever(server.app[DB], every=0.05))
    try:
        for _ in range(40):
            await asyncio.sleep(0.05)
            if await server.app[DB].fetchone("SELECT count(*) AS n FROM forum_deleted_notes") == {"n": 0}:
                break
        assert await server.app[DB].fetchone("SELECT count(*) AS n FROM forum_deleted_notes") == {"n": 0}
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
