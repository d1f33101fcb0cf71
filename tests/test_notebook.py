"""notebooks/walkthrough.ipynb runs from start to end with the project's Python (nbclient): no cell errors,
every plot is drawn, and it finds the repository from notebooks/ and from the root."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the dev extras (pip install -e '.[dev]') bring nbclient")
nbclient = pytest.importorskip("nbclient")

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "walkthrough.ipynb"


def client(nb, cwd: Path, tmp_path: Path):
    """A client whose kernel is this interpreter (the .venv's), whatever kernels Jupyter has installed elsewhere."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    spec = tmp_path / "kernels" / "quotes-venv"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "quotes .venv", "language": "python"}))
    km = KernelManager(kernel_name="quotes-venv",
                       kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")]))
    return nbclient.NotebookClient(nb, km=km, timeout=300, resources={"metadata": {"path": str(cwd)}})


def test_walkthrough_runs_from_notebooks_folder(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client(nb, NOTEBOOK.parent, tmp_path).execute()  # raises CellExecutionError on the first failing cell
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    svgs = [o["data"]["image/svg+xml"] for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert len(svgs) == 5  # speakers, stance per speaker, cues, types, confusion (no dates: no timeline)
    assert all("-mark-0" in s for s in svgs)  # each drew its bars or cells
    text = "".join(o.get("text", "") for o in outputs)
    assert "speaker accuracy" in text and "report.html" in text
    assert str(REPO) in text  # the repository it found


def test_walkthrough_finds_the_repository_from_the_root(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    nb.cells = [first]
    client(nb, REPO, tmp_path).execute()
    assert f"repository: {REPO}" in "".join(o.get("text", "") for o in first.outputs)
