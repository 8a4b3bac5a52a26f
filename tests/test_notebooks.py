"""Every notebook in notebooks/ runs top to bottom against a real node (its asserts included)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, ignite_node, monkeypatch):
    pytest.importorskip("tensorflow")
    monkeypatch.setenv("IGNITE_ADDRESS", f"{ignite_node.host}:{ignite_node.port}")
    notebook = json.loads(path.read_text())
    namespace: dict = {"__name__": "__notebook__"}
    code_cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert code_cells, f"{path.name} has no code"
    for index, cell in enumerate(code_cells):
        source = "".join(cell["source"])
        exec(compile(source, f"{path.name}[cell {index}]", "exec"), namespace)


def test_notebooks_exist():
    assert NOTEBOOKS, "notebooks/ must hold at least one runnable example"
