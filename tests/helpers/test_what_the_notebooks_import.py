"""helpers.__all__ is what the notebooks use, no more and no less."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import helpers

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def imported_from_helpers(path: Path) -> set[str]:
    names = set()
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("helpers"):
                assert node.module == "helpers", f"a notebook reaches into {node.module}"
                names |= {alias.name for alias in node.names}
    return names


def test_all_lists_exactly_what_the_notebooks_import():
    used = set().union(*(imported_from_helpers(path) for path in NOTEBOOKS))
    assert used == set(helpers.__all__)
    assert all(callable(getattr(helpers, name)) for name in helpers.__all__)
