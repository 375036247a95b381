"""The word cloud: folded words without French stop words, a deterministic SVG made on the server."""

import xml.etree.ElementTree as ET

import pytest

from forum import wordcloud
from forum.wordcloud import fold, frequencies, wordcloud_svg, words
from quartier.typedefs import DB

from .conftest import make_board


def test_words_are_folded_to_lower_case_without_accents():
    assert fold("Démarches") == "demarches" == fold("DEMARCHES")
    assert fold("Œuvre") == "oeuvre"
    assert words("L'accès à la CAF, d'accord ; l’école") == ["acces", "caf", "accord", "ecole"]


def test_stop_words_numbers_and_short_words_are_left_out():
    assert words("Je voudrais que vous m'aidiez pour les 3 papiers de la CAF et du RSA") == [
        "voudrais",
        "aidiez",
        "papiers",
        "caf",
        "rsa",
    ]
    assert words("et de la pour avec dans sur") == []


def test_frequencies_count_across_notes_most_frequent_first():
    texts = ["Aide pour la CAF", "La caf en ligne", "Une aide à l'imprimante", "Démarches CAF"]
    assert frequencies(texts, limit=3) == [("caf", 3), ("aide", 2), ("démarches", 1)]


def test_words_are_counted_folded_but_shown_with_their_accents():
    """Issue 22: folding is for counting only; the cloud says "démarches", not "demarches"."""
    texts = ["mes demarches", "Démarches en ligne", "les démarches CAF", "accès libre", "acces wifi"]
    assert frequencies(texts, limit=3) == [("démarches", 3), ("accès", 2), ("caf", 1)]
    assert frequencies(texts, limit=2, ignored=["Démarches"]) == [("accès", 2), ("caf", 1)]


async def test_a_board_has_its_own_list_of_ignored_words(server, organizer):
    from tests.conftest import form

    board = await make_board(server.app, "post")
    for text in ("Le Blosne a besoin de wifi", "Au Blosne, du wifi le soir", "Imprimante au Blosne"):
        await organizer.post(f"/api/v1/boards/{board['id']}/notes", json={"text": text})
    assert (await server.app[DB].read(lambda d: wordcloud.board_frequencies(d, board["id"], 1))) == [("blosne", 3)]
    r = await form(organizer, f"/forum/boards/{board['id']}/ignored", {"words": "Blosne\nsoir"}, allow_redirects=False)
    assert r.status == 303
    freq = await server.app[DB].read(lambda d: wordcloud.board_frequencies(d, board["id"]))
    assert "blosne" not in dict(freq) and "soir" not in dict(freq) and dict(freq)["wifi"] == 2
    page = await (await organizer.get(f"/forum/boards/{board['id']}")).text()
    assert "Blosne\nsoir" in page  # the list as typed, to edit


def test_the_svg_is_deterministic_valid_and_escapes_words():
    freq = [("caf", 9), ("imprimante", 5), ("<script>", 3), ("wifi", 2), ("soir", 1)]
    svg = wordcloud_svg(freq, title="Nuage & mots")
    assert svg == wordcloud_svg(freq, title="Nuage & mots")
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    placed = [t.text for t in root.iter(f"{ns}text")]
    assert placed[0] == "caf" and "<script>" in placed and "<script>" not in svg
    sizes = {t.text: float(t.get("font-size")) for t in root.iter(f"{ns}text")}
    assert sizes["caf"] > sizes["imprimante"] > sizes["soir"]
    assert "style" not in svg  # shows inline under the strict CSP


def test_placed_words_do_not_overlap_and_stay_inside():
    freq = [(f"mot{i:02d}", 40 - i) for i in range(40)]
    placed = wordcloud.layout(freq, 960, 540)
    assert len(placed) >= 20
    boxes = [
        (
            p["x"] - len(p["word"]) * p["size"] * 0.29,
            p["y"] - p["size"] / 2,
            p["x"] + len(p["word"]) * p["size"] * 0.29,
            p["y"] + p["size"] / 2,
        )
        for p in placed
    ]
    for i, a in enumerate(boxes):
        assert 0 <= a[0] and a[2] <= 960 and 0 <= a[1] and a[3] <= 540
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


async def test_the_board_cloud_uses_published_notes_and_serves_svg(client, server):
    board = await make_board(server.app, "pre")
    for text in ("Aide pour la CAF", "La CAF le samedi"):
        await client.post(f"/api/v1/boards/{board['id']}/notes", json={"text": text})
    response = await client.get(f"/forum/boards/{board['id']}/wordcloud.svg")
    assert response.content_type == "image/svg+xml"
    assert ">caf<" not in await response.text()  # pending notes are not public
    for note in (1, 2):
        await client.post(f"/api/v1/notes/{note}/moderation", json={"action": "publish"}, params={"key": board["key"]})
    svg = await (await client.get(f"/forum/boards/{board['id']}/wordcloud.svg")).text()
    assert ">caf<" in svg and ">samedi<" in svg
    page = await client.get(f"/forum/boards/{board['id']}/wordcloud")
    assert page.status == 200 and "caf" in await page.text()


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("نريد ورشة للحاسوب في يوم السبت من فضلك", ["ورشة", "للحاسوب", "يوم", "السبت", "فضلك"]),
        ("Cumartesi günü bilgisayar için bir atölye istiyoruz ve", ["cumartesi", "gunu", "bilgisayar", "atolye"]),
        ("We would like a computer workshop on Saturday, with the kids", ["computer", "workshop", "saturday", "kids"]),
        ("J'ai besoin d'aide pour la CAF", ["aide", "caf"]),
    ],
)
def test_the_cloud_skips_the_stop_words_of_every_language_it_knows(text, kept):
    """Issue 24: a note may be written in any language; its empty words stay out of the cloud."""
    assert wordcloud.words(text) == kept
