"""The README's Python examples run as written (from the repository root)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_python_block_runs(block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(README.parent)
    exec(compile(block, str(README), "exec"), {"__name__": "readme"})


def test_readme_gives_the_ci_test_command() -> None:
    ci = (README.parent / ".ci" / "run").read_text()
    command = ".venv/bin/python -m pytest"
    assert command in README.read_text() and command in ci
    assert os.access(README.parent / ".ci" / "run", os.X_OK)


def test_readme_scenario_example_is_a_valid_scenario() -> None:
    import yaml

    import servsim

    documents = re.findall(r"```yaml\n(.*?)```", README.read_text(), flags=re.DOTALL)
    scenario = servsim.load_scenario(yaml.safe_load(documents[0]))
    assert scenario.stocking is not None and scenario.stocking.items["A"].order_up_to == 760
