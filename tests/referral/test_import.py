"""Issue 20, point 2: third-party places from data·inclusion v1 files, all or nothing, idempotent.

A file that is not valid v1 is refused as a whole, every problem named with its file, line and
record id, and nothing is written; importing the same files twice changes nothing the second time;
a preview says what would change before anything is written; what staff add (an access
description, the needs they ticked, the kind) survives the next import.
"""

from __future__ import annotations

import copy
import io
import json
import sqlite3

import pytest

from events import thematiques
from quartier.cli import main
from quartier.typedefs import DB
from referral import di_read
from tests.conftest import form, text_of

from .helpers import SERVICES, STRUCTURES, as_files, service, structure, write_files

TABLES = ("referral_resources", "referral_structures", "referral_resource_needs")


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "quartier.yaml"
    path.write_text("database: quartier.db\nsecret_key: x\n", encoding="utf-8")
    return path


def dump(tmp_path) -> dict[str, list[dict]]:
    """Every row of the directory's tables, timestamps included: what changed, to the byte."""
    with sqlite3.connect(tmp_path / "quartier.db") as conn:
        conn.row_factory = sqlite3.Row
        return {t: [dict(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY 1")] for t in TABLES}


def test_importing_the_same_files_twice_changes_nothing_the_second_time(config, tmp_path, capsys):
    files = write_files(tmp_path, STRUCTURES, SERVICES)
    assert main(["referral", "import", *files, "--config", str(config)]) == 0
    out = capsys.readouterr().out
    # Three services, and the two libraries that no service names, stand alone.
    assert "Import terminé : 5 nouveau(x), 0 modifié(s), 0 inchangé(s)." in out
    assert "nouveau : Point numérique des étrangers" in out
    before = dump(tmp_path)
    assert len(before["referral_resources"]) == 5 and len(before["referral_structures"]) == 5
    assert main(["referral", "import", *files, "--config", str(config)]) == 0
    assert "Import terminé : 0 nouveau(x), 0 modifié(s), 5 inchangé(s)." in capsys.readouterr().out
    assert dump(tmp_path) == before


def test_a_changed_record_is_updated_and_the_dry_run_writes_nothing(config, tmp_path, capsys):
    main(["referral", "import", *write_files(tmp_path, STRUCTURES, SERVICES), "--config", str(config)])
    capsys.readouterr()
    before = dump(tmp_path)
    changed = copy.deepcopy(STRUCTURES)
    changed[2]["horaires_accueil"] = "Mo-Fr 08:30-12:00"  # the prefecture's hours
    files = write_files(tmp_path, changed, SERVICES)
    assert main(["referral", "import", *files, "--dry-run", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "modifié : Point numérique des étrangers (opening_hours)" in out
    assert "Rien n'a été écrit (--dry-run) : 0 nouveau(x), 1 modifié(s), 4 inchangé(s)." in out
    assert dump(tmp_path) == before
    assert main(["referral", "import", *files, "--config", str(config)]) == 0
    assert "0 nouveau(x), 1 modifié(s), 4 inchangé(s)" in capsys.readouterr().out
    hours = {r["name"]: r["opening_hours"] for r in dump(tmp_path)["referral_resources"]}
    assert hours["Point numérique des étrangers"] == "Mo-Fr 08:30-12:00"


def test_an_invalid_file_is_refused_as_a_whole_with_each_problem_and_its_place(config, tmp_path, capsys):
    bad_services = copy.deepcopy(SERVICES) + [
        service("x1", "prefecture", "ab", ["numerique--voler-des-velos"]),  # name too short, unknown thématique
        service("x2", "nowhere", "Service sans structure", []),
        {**service("x3", "prefecture", "Sans date", []), "date_maj": "hier"},
    ]
    del bad_services[0]["description"]  # a required field
    files = write_files(tmp_path, STRUCTURES, bad_services)
    assert main(["referral", "import", *files, "--config", str(config)]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert lines[0] == "quartier: 5 problème(s), rien n'a été importé :"
    text = "\n".join(lines[1:])
    assert lines[-1].startswith("services.json, ligne 90, « test--x3 »")  # in the file's order
    assert "services.json, ligne 2, « test--prefecture-anef » : champ « description » : obligatoire" in text
    assert "« test--x1 » : champ « nom » : trop court (au moins 3 caractères)" in text
    assert (
        "« test--x1 » : champ « thematiques » : valeur inconnue du schéma v1 : « numerique--voler-des-velos »" in text
    )
    assert "« test--x3 » : champ « date_maj » : date AAAA-MM-JJ attendue" in text
    assert "« test--x2 » : structure « test--nowhere » introuvable (ni dans les fichiers, ni déjà importée)." in text
    assert "Traceback" not in err
    assert not (tmp_path / "quartier.db").exists() or dump(tmp_path) == {t: [] for t in TABLES}


def test_record_lines_are_where_each_record_starts():
    text = json.dumps([structure("a", "Lieu A"), {"id": "test--b", "nom": "B"}], indent=2)
    with pytest.raises(di_read.Refused) as e:
        di_read.read([("structures.json", text)], set())
    line = [i for i, row in enumerate(text.splitlines(), 1) if row == "  {"][1]  # the second record's brace
    assert any(p.startswith(f"structures.json, ligne {line}, « test--b »") for p in e.value.problems), e.value.problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[{"source": "x",\n "id": ', "structures.json, ligne 2 : JSON invalide"),
        ('{"items": []}', "un tableau JSON d'enregistrements data·inclusion est attendu"),
        ("[]", "Aucun enregistrement data·inclusion"),
        ('["texte"]', "champ « ? » : objet JSON attendu"),
    ],
)
def test_what_is_not_a_data_inclusion_file_is_named(text, expected):
    with pytest.raises(di_read.Refused) as e:
        di_read.read([("structures.json", text)], set())
    assert any(expected in p for p in e.value.problems), e.value.problems


def test_unreadable_hours_are_dropped_with_a_warning_not_a_refusal():
    batch = di_read.read(as_files([structure("a", "Lieu A", horaires_accueil="le mardi matin")], []), set())
    assert batch.structures["test--a"]["horaires_accueil"] is None
    assert batch.warnings == [
        "structures.json, ligne 2, « test--a » : horaires illisibles (syntaxe OpenStreetMap attendue), importé sans horaires."
    ]


def test_services_alone_may_name_structures_imported_before(config, tmp_path, capsys):
    main(["referral", "import", *write_files(tmp_path, STRUCTURES, []), "--config", str(config)])
    capsys.readouterr()
    services_only = write_files(tmp_path, None, SERVICES)
    assert main(["referral", "import", *services_only, "--config", str(config)]) == 0
    assert "3 nouveau(x)" in capsys.readouterr().out
    rows = {r["name"]: r for r in dump(tmp_path)["referral_resources"]}
    assert rows["Point numérique des étrangers"]["organisation"] == "Préfecture"  # from the stored structure


async def upload(client, url, files, **kw):
    """A multipart form with the CSRF token, as the browser sends the file input."""
    from aiohttp import FormData

    from tests.conftest import csrf_for

    data = FormData()
    data.add_field("csrf_token", csrf_for(client))
    for name, text in files:
        data.add_field("file", io.BytesIO(text.encode()), filename=name, content_type="application/json")
    return await client.post(url, data=data, **kw)


async def test_the_staff_page_previews_then_imports_and_keeps_what_staff_added(organizer, server):
    app = server.app
    files = as_files(STRUCTURES, SERVICES)
    r = await upload(organizer, "/staff/orientation/import", files)
    assert r.status == 200
    html = await r.text()
    assert "Si vous importez : 5 nouveau(x), 0 modifié(s), 0 inchangé(s). Rien n'est encore écrit." in text_of(html)
    assert await app[DB].fetchone("SELECT count(*) AS n FROM referral_resources") == {"n": 0}
    # Confirm: the preview carried the files back.
    assert html.count('<textarea name="file" hidden') == 2
    r = await form(
        organizer, "/staff/orientation/import/apply", {"file": [t for _n, t in files]}, allow_redirects=False
    )
    assert r.status == 303
    page = await (await organizer.get(r.headers["Location"])).text()
    assert "Import terminé : 5 nouveau(x), 0 modifié(s), 0 inchangé(s)." in text_of(page)
    # Staff add an access description and change the needs of the prefecture's desk.
    row = await app[DB].fetchone("SELECT id FROM referral_resources WHERE origin = 'service:test--prefecture-anef'")
    edit = {"kind": "city", "access": "Bus 12, porte B.", "languages": "français, arabe", "needs": ["titre-de-sejour"]}
    r = await form(
        organizer, f"/staff/orientation/resources/{row['id']}", {**edit, "name": "Renommé"}, allow_redirects=False
    )
    assert r.status == 303
    r = await upload(organizer, "/staff/orientation/import", files)
    assert "0 nouveau(x), 0 modifié(s), 5 inchangé(s)" in text_of(await r.text())
    await form(organizer, "/staff/orientation/import/apply", {"file": [t for _n, t in files]})
    found = await (await organizer.get(f"/api/v1/resources/{row['id']}")).json()
    assert found["name"] == "Point numérique des étrangers"  # the file's field: the form cannot rename it
    assert (found["kind"], found["access"], found["languages"]) == ("city", "Bus 12, porte B.", ["français", "arabe"])
    assert found["needs"] == ["titre-de-sejour"]


async def test_a_refused_upload_lists_the_problems_and_writes_nothing(organizer, server):
    files = as_files(STRUCTURES, [service("x", "nowhere", "Orphelin", [])])
    r = await upload(organizer, "/staff/orientation/import", files, headers={"Accept-Language": "en"})
    assert r.status == 422
    text = text_of(await r.text())
    assert "Nothing was imported: 1 problem(s)." in text
    assert "services.json, line 2, “test--x”: structure “test--nowhere” not found" in text
    assert await server.app[DB].fetchone("SELECT count(*) AS n FROM referral_resources") == {"n": 0}
    r = await form(organizer, "/staff/orientation/import", {})
    assert r.status == 422


def test_a_registry_sized_import_is_linear_and_the_second_run_writes_nothing(config, tmp_path, capsys):
    """Ille-et-Vilaine's extract of the national registry holds thousands of services: one import of
    1,000 structures and 3,000 services, then the same files again (`pytest -s` prints the figures)."""
    import time

    structures = [structure(f"s{i}", f"Structure {i}", latitude=48.1, longitude=-1.68) for i in range(1000)]
    services = [service(f"v{i}", f"s{i % 1000}", f"Service {i}", [thematiques.PROCEDURES]) for i in range(3000)]
    files = write_files(tmp_path, structures, services)
    timings = []
    for expected in ("3000 nouveau(x), 0 modifié(s), 0 inchangé(s)", "0 nouveau(x), 0 modifié(s), 3000 inchangé(s)"):
        start = time.perf_counter()
        assert main(["referral", "import", *files, "--config", str(config)]) == 0
        timings.append(time.perf_counter() - start)
        assert expected in capsys.readouterr().out
        if len(timings) == 1:
            before = dump(tmp_path)
    assert dump(tmp_path) == before
    with capsys.disabled():
        size = sum((tmp_path / n).stat().st_size for n in ("structures.json", "services.json")) / 1e6
        print(
            f"\nreferral import of {size:.1f} MB (1,000 structures, 3,000 services): "
            f"first {timings[0]:.1f} s, second {timings[1]:.1f} s, nothing written"
        )
