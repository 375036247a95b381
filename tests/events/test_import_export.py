"""YAML import and export: all-or-nothing with line numbers, idempotent, a faithful round trip."""

from importlib.resources import files

import pytest

from events import queries, yamlio
from quartier.cli import main
from quartier.db import Database

EXAMPLE = (files("events") / "example.yaml").read_text(encoding="utf-8")


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "quartier.yaml"
    path.write_text("database: quartier.db\nsecret_key: x\n", encoding="utf-8")
    return path


def run(*argv):
    return main([*argv])


def test_import_twice_changes_nothing_the_second_time(config, tmp_path, capsys):
    example = tmp_path / "p.yaml"
    example.write_text(EXAMPLE, encoding="utf-8")
    assert run("import", str(example), "--config", str(config)) == 0
    assert "Créés : 4 ;" in capsys.readouterr().out  # a site, a partner, two sessions
    assert run("import", str(example), "--config", str(config)) == 0
    assert "Créés : 0 ; modifiés : 0 ; inchangés : 4." in capsys.readouterr().out


def test_export_then_import_is_a_round_trip(config, tmp_path, capsys):
    example = tmp_path / "p.yaml"
    example.write_text(EXAMPLE, encoding="utf-8")
    run("import", str(example), "--config", str(config))
    out = tmp_path / "out.yaml"
    assert run("export", str(out), "--config", str(config)) == 0
    exported = out.read_text(encoding="utf-8")
    assert "blosne-permanence-caf" in exported and "Fermeture pour les fêtes" in exported
    assert "partner: caf-35" in exported and "Charte rennaise de l'e-inclusion" in exported
    capsys.readouterr()
    assert run("import", str(out), "--config", str(config)) == 0
    assert "inchangés : 4." in capsys.readouterr().out
    assert run("export", "--config", str(config)) == 0
    assert capsys.readouterr().out == exported


BAD = """\
sites:
  - slug: Le Blosne
    name: ESC Le Blosne
    opening_hours: "Mo-Fx 9h"
sessions:
  - key: a
    site: le-blosne
    title: Permanence
    axis: droits
    date: 2025-09-01
    start: "09:00"
    end: "08:00"
    colour: red
  - key: b
    site: le-blosne
    title: Atelier
    axis: droits
    date: 2025-09-01
    start: "09:00"
    end: "10:00"
    repeat: {every: weekly}
    exceptions:
      - {date: 2025-09-02, status: cancelled}
"""


def test_a_bad_file_changes_nothing_and_names_every_problem_with_its_line(config, tmp_path, capsys):
    good = tmp_path / "good.yaml"
    good.write_text(EXAMPLE, encoding="utf-8")
    run("import", str(good), "--config", str(config))
    capsys.readouterr()
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD.replace("title: Permanence", "title: Permanence modifiée"), encoding="utf-8")
    assert run("import", str(bad), "--config", str(config)) == 2
    err = capsys.readouterr().err
    for line, what in [(2, "slug"), (4, "opening_hours"), (12, "end"), (13, "colour"), (23, "2025-09-02")]:
        assert f"bad.yaml:{line}:" in err and what in err, (line, what, err)
    assert "rien n'a été importé" in err
    run("export", "--config", str(config))
    assert "modifiée" not in capsys.readouterr().out


@pytest.mark.parametrize(
    "text, expected",
    [
        ("sites: !!python/object/apply:os.system ['echo hi']\n", "étiquette YAML refusée"),
        (
            "a: &a [x, x]\n"
            + "".join(
                f"b{i}: &b{i} [*{'a' if i == 0 else f'b{i - 1}'}, *{'a' if i == 0 else f'b{i - 1}'}]\n"
                for i in range(15)
            ),
            "aliases",
        ),
        ("sites: [\n", "YAML illisible"),
        (
            "sessions:\n  - key: x\n    site: nowhere\n    title: t\n    axis: droits\n    date: 2025-01-06\n    start: '09:00'\n    end: '10:00'\n",
            None,
        ),
    ],
)
async def test_unsafe_or_broken_files_are_refused(tmp_path, text, expected):
    if expected:
        with pytest.raises(yamlio.ImportFailed) as e:
            yamlio.read(text)
        assert expected in str(e.value)
        return
    # A session on an unknown site is caught inside the transaction, which then writes nothing.
    db = Database(tmp_path / "q.db")
    from events.schema import migrations

    await db.open([migrations])
    try:
        programme = yamlio.read(text)
        with pytest.raises(yamlio.ImportFailed) as e:
            await db.write(lambda tx: yamlio.apply(tx, programme))
        assert e.value.problems[0].line == 3
        assert await db.read(lambda d: queries.sessions(d)) == []
    finally:
        await db.close()
