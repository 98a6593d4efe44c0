"""Write the report of a run or a sweep to one HTML file, never over an existing one."""

from __future__ import annotations

import os
from pathlib import Path

from servsim.experiment.results import SweepResults
from servsim.report.run_report import run_report
from servsim.report.sweep_report import sweep_report
from servsim.run.results import Results


def report_html(
    source: Results | SweepResults, title: str | None = None, confidence: float = 0.95
) -> str:
    """The report as one self-contained HTML page (plotly.js inlined, nothing fetched)."""
    if isinstance(source, SweepResults):
        return sweep_report(source, title)
    if isinstance(source, Results):
        return run_report(source, title, confidence)
    raise TypeError(f"expected Results or SweepResults, got {type(source).__name__}")


def write_report(
    source: Results | SweepResults,
    path: str | os.PathLike[str],
    force: bool = False,
    title: str | None = None,
    confidence: float = 0.95,
) -> Path:
    """Write the report of ``source`` to ``path``; FileExistsError if it is there (unless
    ``force``): a report someone may have annotated or sent is never silently replaced."""
    target = Path(path)
    if target.exists() and not force:
        raise FileExistsError(f"{target}: already exists; choose another path or pass force")
    if target.is_dir():
        raise IsADirectoryError(f"{target}: is a folder; give the report's file name")
    text = report_html(source, title, confidence)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(target)
    return target
