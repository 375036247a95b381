"""A configurable word blocklist sends a note to the queue, even on a post-moderated board."""

import pytest

from forum.store import blocked_word

from .conftest import public_texts


@pytest.fixture
def settings(settings):
    return settings.replace(forum_blocklist=["connard", "arnaque totale"])


def test_matching_ignores_case_and_accents_but_not_word_boundaries():
    assert blocked_word("Quel CONNÂRD !", ["connard"]) == "connard"
    assert blocked_word("c'est une Arnaque   totale", ["arnaque totale"]) is None  # spaces are literal
    assert blocked_word("c'est une arnaque totale.", ["arnaque totale"]) == "arnaque totale"
    assert blocked_word("déconnardise", ["connard"]) is None


async def test_a_blocklisted_note_waits_for_a_facilitator(client, facilitator, post_board):
    url = f"/api/v1/boards/{post_board['id']}/notes"
    held = await (await client.post(url, json={"text": "Le guichet, quel connard"})).json()
    fine = await (await client.post(url, json={"text": "Un guichet ouvert le soir"})).json()
    assert (held["status"], fine["status"]) == ("pending", "published")
    assert await public_texts(client, post_board["id"]) == ["Un guichet ouvert le soir"]
    console = await (await facilitator.get(f"/forum/boards/{post_board['id']}/console")).text()
    assert "retenue : mot de la liste" in console
