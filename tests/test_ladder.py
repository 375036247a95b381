"""The structure tells the truth: the ladder of packages (DESIGN.md, "The ladder") and small modules.

`quartier < events < commons < referral < forum < reports < signage`: a package imports only from
the packages below it, at the top of its files; `displays` (the Pi agent) imports nothing of the
server's packages. Every import is read from the source (ast), so an import hidden in a function
or behind `try/except ImportError` is found too, and a failure names the file and the line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LADDER = ("quartier", "events", "commons", "referral", "forum", "reports", "signage")
ISLANDS = ("displays",)  # talks HTTP to the server, imports none of it
PACKAGES = (*LADDER, *ISLANDS)
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# Being reshaped on other branches of this wave, each listed with its reason; the list only shrinks.
PENDING: dict[str, str] = {}


def pending(path: Path) -> bool:
    where = str(path.relative_to(ROOT))
    return any(where == p or where.startswith(p + "/") for p in PENDING)


def modules(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "templates" not in p.parts)


def project_imports(tree: ast.AST) -> list[tuple[int, str, bool]]:
    """(line, imported top-level package, at module level?) for every import of a project package."""
    top_level = {id(node) for node in getattr(tree, "body", [])}
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            root = name.split(".")[0]
            if root in (*PACKAGES, "tests", "bench"):
                found.append((node.lineno, root, id(node) in top_level))
    return found


def allowed(package: str) -> set[str]:
    if package in ISLANDS:
        return {package}
    return set(LADDER[: LADDER.index(package) + 1])


def ladder_problems(package: str, files: list[Path], root: Path = ROOT) -> list[str]:
    problems = []
    may = allowed(package)
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for line, imported, at_top in project_imports(tree):
            where = f"{path.relative_to(root)}:{line}"
            if imported not in may:
                problems.append(f"{where}: {package} imports {imported}, which is not below it on the ladder")
            elif imported != package and not at_top:
                problems.append(f"{where}: {package} imports {imported} inside a function; import it at the top")
    return problems


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_climbs_the_ladder(package):
    assert ladder_problems(package, [m for m in modules(package) if not pending(m)]) == []


def test_the_check_finds_a_climbing_import_and_a_hidden_one(tmp_path):
    """The test above would fail on the faults it exists for (guards the guard)."""
    fake = tmp_path / "pages.py"
    fake.write_text(
        "from quartier.db import Tx\nfrom forum import queries\n\ndef f():\n    from events import store\n"
        "try:\n    from signage import screen\nexcept ImportError:\n    screen = None\n"
    )
    assert ladder_problems("events", [fake], tmp_path) == [
        "pages.py:2: events imports forum, which is not below it on the ladder",
        "pages.py:7: events imports signage, which is not below it on the ladder",
    ]
    assert ladder_problems("displays", []) == []
    hidden = _write(tmp_path, "def f():\n    import forum\n")
    assert "inside a function" in ladder_problems("reports", [hidden], tmp_path)[0]


def _write(folder: Path, text: str) -> Path:
    path = folder / "m.py"
    path.write_text(text)
    return path


def test_every_package_of_the_ladder_is_assembled_by_the_app():
    from quartier import features

    assert ("quartier", *features.FEATURES) == LADDER


@pytest.mark.parametrize("package", PACKAGES)
def test_modules_and_functions_stay_small(package):
    """No module over 400 lines, no function over 60: split by what they serve instead."""
    problems = []
    for path in (m for m in modules(package) if not pending(m)):
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(ROOT)
        if text.count("\n") > MAX_MODULE_LINES:
            problems.append(f"{where}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    problems.append(f"{where}:{node.lineno}: {node.name}() has {length} lines")
    assert problems == []
