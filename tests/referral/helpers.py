"""Builders for the referral tests: a small programme, data·inclusion records, a fixed clock."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from quartier.typedefs import CLOCK, DB
from referral import di_import, di_read
from tests.events.helpers import add_session, add_site

TZ = ZoneInfo("Europe/Paris")
NOW = dt.datetime(2026, 3, 25, 10, 0, tzinfo=TZ)  # a Wednesday, 10:00
SOURCE = "test"


def structure(id: str, nom: str, **kw: Any) -> dict[str, Any]:
    record = {
        "source": SOURCE,
        "id": f"{SOURCE}--{id}",
        "nom": nom,
        "date_maj": "2025-11-03",
        "description": f"{nom}, un lieu pour les tests.",
        "commune": "Rennes",
        "code_postal": "35000",
        "code_insee": "35238",
        "adresse": "1 rue des Tests",
        "latitude": None,
        "longitude": None,
        "horaires_accueil": None,
    }
    record.update(kw)
    return record


def service(id: str, structure_id: str, nom: str, thematiques: list[str], **kw: Any) -> dict[str, Any]:
    record = {
        "source": SOURCE,
        "structure_id": f"{SOURCE}--{structure_id}",
        "id": f"{SOURCE}--{id}",
        "nom": nom,
        "description": f"{nom} : un service pour les tests.",
        "date_maj": "2025-11-03",
        "thematiques": thematiques,
        "frais": "gratuit",
        "publics": ["tous-publics"],
        "modes_accueil": ["en-presentiel"],
    }
    record.update(kw)
    return record


PROCEDURES = "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives"
CITIZENSHIP = "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-a-la-citoyennete"
EQUIPMENT = "numerique--acquerir-un-equipement"

# Third-party places around Maurepas (48.1283, -1.6555): a library near, one far, a prefecture desk.
STRUCTURES = [
    structure(
        "bib-near",
        "Bibliothèque du Gros-Chêne",
        latitude=48.1290,
        longitude=-1.6560,
        horaires_accueil="We 14:00-18:00; Sa 10:00-12:00",
    ),
    structure(
        "bib-far", "Médiathèque de Cleunay", latitude=48.1035, longitude=-1.7095, horaires_accueil="Mo-Sa 09:00-19:00"
    ),
    structure("prefecture", "Préfecture", latitude=48.1220, longitude=-1.6880, horaires_accueil="Mo-Fr 09:00-12:00"),
    structure(
        "france-services",
        "France Services Nord",
        latitude=48.1300,
        longitude=-1.6500,
        horaires_accueil="Th,Fr 09:00-12:00",
        reseaux_porteurs=["france-service"],
    ),
    structure(
        "recyclerie",
        "Association Ordis Solidaires",
        latitude=48.1100,
        longitude=-1.6800,
        horaires_accueil="Sa 10:00-12:00",
    ),
]
SERVICES = [
    service("prefecture-anef", "prefecture", "Point numérique des étrangers", [CITIZENSHIP, PROCEDURES]),
    service("fs-demarches", "france-services", "Aide aux démarches", [PROCEDURES]),
    service("ordis", "recyclerie", "Ordinateurs reconditionnés", [EQUIPMENT], frais="payant"),
]


def as_files(structures: list[dict] | None = None, services: list[dict] | None = None) -> list[tuple[str, str]]:
    out = []
    if structures is not None:
        out.append(("structures.json", json.dumps(structures, ensure_ascii=False, indent=2)))
    if services is not None:
        out.append(("services.json", json.dumps(services, ensure_ascii=False, indent=2)))
    return out


def write_files(folder: Path, structures: list[dict] | None = None, services: list[dict] | None = None) -> list[str]:
    paths = []
    for name, text in as_files(structures, services):
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    return paths


async def import_places(app, structures: list[dict] = STRUCTURES, services: list[dict] = SERVICES) -> dict:
    db = app[DB]
    batch = di_read.read(as_files(structures, services), await db.read(di_import.known_structures))
    return dict(await db.write(lambda tx: di_import.apply(tx, batch)))


async def programme(app) -> dict[str, int]:
    """Two sites and a week of drop-ins around NOW (the clock fixed there)."""
    app[CLOCK].fixed = NOW
    await add_site(app, slug="maurepas", name="ESC Maurepas", latitude=48.1283, longitude=-1.6555)
    await add_site(
        app,
        slug="le-blosne",
        name="ESC Le Blosne",
        address="7 boulevard de Yougoslavie",
        postal_code="35200",
        latitude=48.0871,
        longitude=-1.6620,
    )
    ids = {
        # Wednesday 14:00 (later today), Le Blosne: serves titre-de-sejour by its words.
        "droits": await add_session(
            app, site="le-blosne", title="Permanence accès aux droits", date="2026-03-04", start="14:00", end="17:00"
        ),
        # Thursday 09:00, Maurepas.
        "sejour": await add_session(
            app, site="maurepas", title="Permanence titres de séjour", date="2026-03-05", start="09:00", end="12:00"
        ),
        # Wednesday 08:00-09:30: over by 10:00, not in the answer.
        "early": await add_session(
            app, site="maurepas", title="Permanence étrangers du matin", date="2026-03-04", start="08:00", end="09:30"
        ),
        # Monday: serves CAF, not titre-de-sejour.
        "caf": await add_session(app, site="maurepas", title="Permanence démarches CAF", date="2026-03-02"),
        "smartphone": await add_session(
            app,
            site="maurepas",
            title="Atelier smartphone",
            kind="atelier",
            axis="accompagnement",
            date="2026-03-06",
            start="14:00",
            end="16:00",
        ),
    }
    return ids
