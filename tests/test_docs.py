"""Every code example of the README and the docs runs as written, from the repository root.

Each ```python block is executed on its own; each ```yaml block that is a whole scenario or a
whole experiment file is loaded and must validate. The docs must also stand alone: no link to a
file the repository does not hold.
"""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import pytest
import yaml

import servsim
from tests.conftest import ROOT

DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "benchmarks" / "README.md"] + sorted(
    path
    for path in DOCS.rglob("*.md")
    if not path.relative_to(DOCS).parts[0].startswith("_")
    and "_generated" not in path.parts
    and "scenarios" not in path.relative_to(DOCS).parts[:1]
)
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", flags=re.DOTALL | re.MULTILINE)


def blocks(language: str) -> list[tuple[str, str]]:
    """(where, code) of every fenced block in ``language``: where is ``page:line``."""
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            if match.group(1) == language:
                line = text.count("\n", 0, match.start()) + 1
                found.append((f"{page.relative_to(ROOT)}:{line}", match.group(2)))
    return found


PYTHON = blocks("python")
YAML = blocks("yaml")


def test_the_pages_have_examples() -> None:
    assert len(PYTHON) >= 15 and len(YAML) >= 8
    assert any(where.startswith("README.md") for where, _ in PYTHON)


@pytest.mark.parametrize(("where", "code"), PYTHON, ids=[where for where, _ in PYTHON])
def test_a_python_block_runs(where: str, code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in a module of its own (a dataclass defined in an example needs one)."""
    monkeypatch.chdir(ROOT)
    module = types.ModuleType("docs_example")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(code, where, "exec"), module.__dict__)


def _whole_scenario(document: object) -> bool:
    return isinstance(document, dict) and {"time_unit", "demand"} <= set(document)


def _whole_experiment(document: object) -> bool:
    return isinstance(document, dict) and {"scenario", "parameters"} <= set(document)


WHOLE = [
    (where, code)
    for where, code in YAML
    if _whole_scenario(yaml.safe_load(code)) or _whole_experiment(yaml.safe_load(code))
]


def test_the_pages_show_whole_files() -> None:
    scenarios = [w for w, code in WHOLE if _whole_scenario(yaml.safe_load(code))]
    experiments = [w for w, code in WHOLE if _whole_experiment(yaml.safe_load(code))]
    assert len(scenarios) >= 1 and len(experiments) >= 2


@pytest.mark.parametrize(("where", "code"), WHOLE, ids=[where for where, _ in WHOLE])
def test_a_whole_file_in_a_yaml_block_validates(where: str, code: str) -> None:
    document = yaml.safe_load(code)
    if _whole_scenario(document):
        servsim.load_scenario(document)
        return
    # experiment files live in experiments/: their scenario path is relative to that folder
    document["scenario"] = str((ROOT / "experiments" / document["scenario"]).resolve())
    document.pop("out", None)
    if "search" in document:
        servsim.load_search(document)
    else:
        servsim.load_experiment(document)


LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_the_pages_stand_alone(page: Path) -> None:
    """Relative links resolve inside the repository; nothing points at files it lacks."""
    text = page.read_text(encoding="utf-8")
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target):
            continue
        resolved = (page.parent / target).resolve()
        assert resolved.is_relative_to(ROOT), f"{page.name} links outside the repository: {target}"
        assert resolved.exists(), f"{page.name} links to a missing file: {target}"
    for unwanted in ("METRICS", "DESIGN.md", "../shared", "shared/"):
        assert unwanted not in text, f"{page.name} mentions {unwanted}"


def test_the_limits_page_quotes_the_bounds_in_force() -> None:
    """The how-to's table of limits is typed; each bound it quotes is the one the code holds."""
    from servsim.core.errors import MOST_SHOWN
    from servsim.scenario import fields, reading, workload

    page = (DOCS / "howto" / "input-errors.md").read_text(encoding="utf-8")
    quoted = [
        f"at most {reading.MOST_BYTES // 1_048_576} MiB",
        f"at most {reading.MOST_DEPTH} deep",
        f"at most {reading.MOST_VALUES:,}",
        f"at most {reading.MOST_DIGITS} digits",
        f"the first {MOST_SHOWN}",
        f"at most {fields.MOST_SKUS:,}",
        f"at most {fields.MOST_COUNT:,}",
        f"at most {fields.MOST_REPLICATIONS:,}",
        f"at most {fields.MOST_YEARS} years",
        f"{workload.MOST_EVENTS:,} expected orders",
        f"{workload.MOST_RUNS:,} runs",
    ]
    assert fields.MOST_SEED == 2**63 - 1 and "2^63 - 1" in page
    assert [text for text in quoted if text not in page] == []
