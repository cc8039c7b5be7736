"""Imports point down: the UI never imports the servers, the headless core never the UI.

Read from the source (every `import`, lazy ones inside functions too), so a rule broken in a
branch no test runs is still caught.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "gdtui"

#: (the modules under this folder of gdtui, may not import any of these packages)
RULES = [
    ("ui", ("gdtui.serve",)),
    ("engine", ("textual", "rich", "gdtui.ui", "gdtui.serve", "gdtui.classroom")),
    ("lesson", ("textual", "rich", "gdtui.ui", "gdtui.serve", "gdtui.classroom", "asyncio")),
    ("classroom", ("textual", "rich", "gdtui.ui", "gdtui.serve")),
]


def imported(path: Path) -> set[str]:
    """Every module `path` imports, by its absolute name."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def breaks(names: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(n == f or n.startswith(f"{f}.") for f in forbidden))


@pytest.mark.parametrize(("folder", "forbidden"), RULES, ids=[r[0] for r in RULES])
def test_imports_point_down(folder: str, forbidden: tuple[str, ...]) -> None:
    files = sorted((PACKAGE / folder).rglob("*.py"))
    assert files, f"gdtui/{folder} has no modules: the rule checks nothing"
    found = {str(f.relative_to(PACKAGE)): breaks(imported(f), forbidden) for f in files}
    assert {f: names for f, names in found.items() if names} == {}


def test_the_rule_sees_a_forbidden_import(tmp_path: Path) -> None:
    # Without this, an empty answer above could mean the walk finds no imports at all.
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from gdtui.serve import classroom\n", encoding="utf-8")
    assert breaks(imported(module), ("gdtui.serve",)) == ["gdtui.serve", "gdtui.serve.classroom"]
