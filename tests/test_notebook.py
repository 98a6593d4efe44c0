"""The tour notebook runs from top to bottom without an error (executed by nbclient)."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient

from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"


def test_the_tour_notebook_runs_without_error():
    notebook = nbformat.read(EXAMPLES / "tour.ipynb", as_version=4)
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(EXAMPLES)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    outputs = [
        output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
    ]
    figures = [
        output for output in outputs if "application/vnd.plotly.v1+json" in output.get("data", {})
    ]
    assert len(figures) >= 8
    assert not [output for output in outputs if output.output_type == "error"]
