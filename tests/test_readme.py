"""The README keeps its promises: the two set-up commands, a short page, links that resolve.

Its ```python blocks run and its whole files validate in tests/test_docs.py, with the docs'.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
SET_UP = (
    'python3 -m venv .venv && .venv/bin/pip install -e ".[test]" && '
    ".venv/bin/servsim run scenarios/webshop.yaml"
)


def test_readme_gives_the_ci_test_command() -> None:
    ci = (README.parent / ".ci" / "run").read_text()
    command = ".venv/bin/python -m pytest"
    assert command in README.read_text() and command in ci
    assert os.access(README.parent / ".ci" / "run", os.X_OK)


def test_readme_gives_the_set_up_command_ci_runs() -> None:
    """The first command installs what CI installs first and runs the example CI runs."""
    ci = (README.parent / ".ci" / "run").read_text()
    assert SET_UP in README.read_text()
    assert '-e ".[test]"' in ci and ".venv/bin/servsim run scenarios/webshop.yaml" in ci


def test_readme_is_short_and_points_into_the_docs() -> None:
    text = README.read_text()
    assert len(text.splitlines()) <= 160
    links = re.findall(r"\]\((docs/[^)#]+)\)", text)
    sections = {Path(link).parts[1] for link in links if link.endswith(".md")}
    assert sections >= {"tutorials", "howto", "reference", "background"}
    assert "docs/_static/report.png" in links
