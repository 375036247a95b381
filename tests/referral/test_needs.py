"""Issue 20, point 1: the needs catalogue, in residents' words, tied to the open data's vocabulary."""

from __future__ import annotations

import re
from importlib.resources import files

from data_inclusion.schema.v1 import Public, Thematique

from events import thematiques
from referral import needs
from referral.model import KIND_OF_NETWORK, KINDS


def test_every_thematique_and_public_we_name_is_an_official_v1_value():
    official = {t.value for t in Thematique}
    named = {v for k, v in vars(thematiques).items() if k.isupper() and isinstance(v, str)}
    assert named and named <= official, named - official
    assert {t for ts in thematiques.BY_AXIS.values() for t in ts} <= official
    assert set(thematiques.PUBLICS.values()) <= {p.value for p in Public}
    for n in needs.NEEDS:
        assert set(n.thematiques) <= official, n.id


def test_the_catalogue_covers_the_issues_needs_each_with_an_axis_a_pictogram_and_papers():
    ids = [n.id for n in needs.NEEDS]
    assert len(ids) == len(set(ids))
    for wanted in (
        "caf",
        "titre-de-sejour",
        "email",
        "imprimer",
        "smartphone",
        "emploi",
        "ordinateur",
        "internet-maison",
        "france-connect",
    ):
        assert wanted in ids
    sprite = (files("referral") / "templates" / "referral" / "_pictos.html").read_text(encoding="utf-8")
    symbols = set(re.findall(r'<symbol id="picto-([a-z-]+)"', sprite))
    for n in needs.NEEDS:
        assert n.axis in thematiques.BY_AXIS
        assert n.id in symbols, f"no pictogram for {n.id}"
        assert n.documents, n.id
        assert set(n.base) <= set(needs.BASE_ITEMS)
        assert set(n.place_kinds) <= set(KINDS)
    assert set(KIND_OF_NETWORK.values()) <= set(KINDS)


def test_defaults_link_sessions_by_their_words_and_places_by_their_thematiques():
    sejour = needs.BY_ID["titre-de-sejour"]
    assert needs.default_session_match(sejour, {"kind": "permanence", "title": "Permanence accès aux droits"})
    assert not needs.default_session_match(sejour, {"kind": "atelier", "title": "Atelier accès aux droits"})
    assert not needs.default_session_match(sejour, {"kind": "permanence", "title": "Permanence démarches CAF"})
    place = {"kind": "other", "thematiques": [thematiques.CITIZENSHIP]}
    assert needs.default_place_match(sejour, place)
    assert [n.id for n in needs.of_thematiques([thematiques.EQUIPMENT])] == ["ordinateur"]
    assert needs.default_place_match(needs.BY_ID["imprimer"], {"kind": "library", "thematiques": []})


def test_search_reads_accents_case_and_residents_words():
    assert [n.id for n in needs.search("TITRE DE SEJOUR")][:1] == ["titre-de-sejour"]
    assert [n.id for n in needs.search("je veux faire ma déclaration d'impôts")][:1] == ["impots"]
    assert [n.id for n in needs.search("box internet")][:1] == ["internet-maison"]
    assert needs.search("") == [] and needs.search("le la les") == []
