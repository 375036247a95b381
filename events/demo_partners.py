"""The demo's partners: the programme's real partner set, in its two circles (issue 18, point 7).

The organisations are the ones the programme names; their descriptions are short and plain, the
charter and its signing dates are illustrative, and no logo is shipped (the pages then show the
short name in a frame). Which partner runs which demo session, and with how many staff, is
illustrative too.
"""

from __future__ import annotations

from typing import Any

ESC = ["maurepas", "cleunay", "centre", "le-blosne", "villejean", "brequigny"]
CHARTER = "Charte rennaise de l'e-inclusion"

PARTNERS: list[dict[str, Any]] = [
    {
        "key": "ville-de-rennes",
        "name": "Ville de Rennes",
        "short_name": "Ville de Rennes",
        "kind": "city",
        "circle": 1,
        "website": "https://metropole.rennes.fr/",
        "description": "La Ville porte les Espaces Sociaux Communs avec ses partenaires et anime le GT ESC.",
        "sites": [*ESC, "leperdit"],
        "charters": [{"charter": CHARTER, "signed": "2025-03-14"}],
    },
    {
        "key": "ccas-rennes",
        "name": "CCAS de Rennes",
        "short_name": "CCAS",
        "kind": "ccas",
        "circle": 1,
        "description": "Le Centre communal d'action sociale accueille et accompagne dans les ESC et à la Maison des aînés.",
        "sites": [*ESC, "maison-des-aines"],
        "charters": [{"charter": CHARTER, "signed": "2025-03-14"}],
    },
    {
        "key": "departement-35",
        "name": "Département d'Ille-et-Vilaine (CDAS)",
        "short_name": "CDAS",
        "kind": "departement",
        "circle": 1,
        "website": "https://www.ille-et-vilaine.fr/",
        "description": "Les Centres départementaux d'action sociale tiennent leurs permanences dans les ESC.",
        "sites": ESC,
        "charters": [{"charter": CHARTER, "signed": "2025-04-02"}],
    },
    {
        "key": "caf-35",
        "name": "CAF d'Ille-et-Vilaine",
        "short_name": "CAF",
        "kind": "caf",
        "circle": 1,
        "website": "https://www.caf.fr/allocataires/caf-d-ille-et-vilaine",
        "description": "La Caisse d'allocations familiales : permanences, bornes en accès libre, aide aux démarches.",
        "sites": ESC,
        "charters": [{"charter": CHARTER, "signed": "2025-04-02"}],
    },
    {
        "key": "centres-sociaux",
        "name": "Associations des centres sociaux de Rennes",
        "short_name": "Centres sociaux",
        "kind": "social-centre",
        "circle": 1,
        "description": "Les associations qui font vivre les centres sociaux des ESC : accueil, accès libre, bénévoles.",
        "sites": ESC,
        "charters": [{"charter": CHARTER, "signed": "2025-05-20"}],
    },
    {
        "key": "carrefour-18",
        "name": "Carrefour 18",
        "short_name": "Carrefour 18",
        "kind": "social-centre",
        "circle": 2,
        "description": "Centre social du Sud-Gare, 7 rue d'Espagne : permanences d'accès aux droits, hackathon social.",
        "sites": ["carrefour-18"],
        "charters": [{"charter": CHARTER, "signed": "2025-06-11"}],
    },
    {
        "key": "arcs",
        "name": "ARCS",
        "short_name": "ARCS",
        "kind": "association",
        "circle": 2,
        "description": "L'« aller vers » : des médiateurs qui vont au-devant des habitants, hors les murs.",
        "sites": ["maurepas", "le-blosne", "villejean"],
    },
    {
        "key": "epn-rennes",
        "name": "Espaces publics numériques labellisés",
        "short_name": "EPN",
        "kind": "epn",
        "circle": 2,
        "description": "Les lieux labellisés de la ville où l'on vient se former et pratiquer.",
        "sites": ["leperdit", "villejean"],
        "charters": [{"charter": CHARTER, "signed": "2025-09-30"}],
    },
    {
        "key": "france-travail",
        "name": "France Travail",
        "short_name": "France Travail",
        "kind": "other",
        "circle": 2,
        "description": "Permanences de recherche d'emploi en ligne.",
        "sites": ["maurepas"],
    },
    {
        "key": "mission-locale",
        "name": "Mission locale",
        "short_name": "Mission locale",
        "kind": "association",
        "circle": 2,
        "description": "L'accompagnement des jeunes de 16 à 25 ans vers l'emploi.",
        "sites": ["le-blosne"],
    },
    {
        "key": "labfab",
        "name": "LabFab",
        "short_name": "LabFab",
        "kind": "association",
        "circle": 2,
        "description": "Le fab lab rennais : partenaire du hackathon social.",
    },
    {
        "key": "tilab",
        "name": "TiLab",
        "short_name": "TiLab",
        "kind": "other",
        "circle": 2,
        "description": "Le laboratoire d'innovation publique de Bretagne : partenaire du hackathon social.",
    },
    {
        "key": "epitech-rennes",
        "name": "Epitech Rennes",
        "short_name": "Epitech",
        "kind": "school",
        "circle": 2,
        "description": "École d'informatique : ses étudiantes et étudiants participent au hackathon social.",
    },
]

# Session key -> (partner key, staff per occurrence): who runs each demo session (illustrative).
SESSION_PARTNERS: dict[str, tuple[str, int]] = {
    "maurepas-caf": ("caf-35", 1),
    "maurepas-acces-libre": ("centres-sociaux", 1),
    "maurepas-emploi": ("france-travail", 1),
    "cleunay-smartphone": ("ville-de-rennes", 2),
    "cleunay-acces-libre": ("centres-sociaux", 1),
    "centre-ants": ("ville-de-rennes", 1),
    "centre-mail": ("ville-de-rennes", 1),
    "blosne-caf": ("caf-35", 1),
    "blosne-acces-libre": ("centres-sociaux", 2),
    "blosne-jeunes": ("mission-locale", 1),
    "villejean-impots": ("ccas-rennes", 1),
    "villejean-tablette": ("epn-rennes", 1),
    "brequigny-acces-libre": ("centres-sociaux", 1),
    "brequigny-familles": ("departement-35", 2),
    "carrefour18-droits": ("carrefour-18", 1),
    "aines-accompagnement": ("ccas-rennes", 1),
    "leperdit-acces-libre": ("epn-rennes", 1),
    "maurepas-forum": ("ville-de-rennes", 3),
    "hackathon-social": ("labfab", 4),
}
