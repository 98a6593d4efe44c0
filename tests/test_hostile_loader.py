"""Hostile files: every command's loader answers in one line, exit 2, and bounded work.

Control characters, NUL, UTF-16 without a byte-order mark, nesting 500 deep, a number of
5,000 digits, alias and merge bombs, a FIFO, symlinks to /dev/zero and /dev/urandom, files of
50 MB and of 200,000 products or 100,000 unknown keys, and 10,000 unknown keys (20 listed, the
rest counted). validate, run, sweep and optimize read files alike.
"""

from __future__ import annotations

import os
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

import servsim
from servsim.core.errors import MOST_SHOWN, ScenarioError
from servsim.scenario.reading import MOST_BYTES, MOST_DEPTH, MOST_VALUES
from tests.conftest import SMALL_SHOP
from tests.hostile_helpers import assert_clean_refusal, invoke, returns


def _laughs() -> str:
    text = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for level in range(1, 10):
        text += (
            f"l{level}: &l{level} ["
            + ", ".join(["*" + ("a" if level == 1 else f"l{level - 1}")] * 9)
            + "]\n"
        )
    return text


def _merges() -> str:
    text = "m0: &m0 {k0: 1, k1: 2}\n"
    for level in range(1, 30):
        below = f"*m{level - 1}"
        text += f"m{level}: &m{level} {{<<: [{below}], x: {{<<: {below}}}, y: {{<<: {below}}}}}\n"
    return text


def _products(count: int) -> str:
    listed = "".join(f"  - {{sku: P{i}, unit_cost: 1, price: 2}}\n" for i in range(count))
    start = SMALL_SHOP.index("products:")
    end = SMALL_SHOP.index("demand:")
    return SMALL_SHOP[:start] + "products:\n" + listed + SMALL_SHOP[end:]


def _unknown_keys(count: int) -> str:
    return SMALL_SHOP + "".join(f"unknown{i}: 1\n" for i in range(count))


def _write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def _sparse(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that takes no disk: servsim must not read it to refuse it."""
    with path.open("wb") as file:
        file.write(SMALL_SHOP.encode())
        file.truncate(size)
    return path


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _symlink(target: str) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        path.symlink_to(target)
        return path

    return make


HOSTILE: dict[str, tuple[Callable[[Path], Path], list[str]]] = {
    "control-character": (
        lambda p: _write(p, SMALL_SHOP.replace("name:", "name: \x07bell\nnote:", 1)),
        [":1:", "control character U+0007"],
    ),
    "nul": (
        lambda p: _write(p, SMALL_SHOP.encode().replace(b"name", b"na\x00me", 1)),
        [":1:", "NUL"],
    ),
    "utf16-without-bom": (lambda p: _write(p, SMALL_SHOP.encode("utf-16-le")), ["UTF-16", "UTF-8"]),
    "nested-500": (
        lambda p: _write(p, "a: " + "[" * 500 + "]" * 500 + "\n"),
        [f"nested more than {MOST_DEPTH} levels"],
    ),
    "5000-digits": (
        lambda p: _write(p, SMALL_SHOP.replace("seed: 11", "seed: " + "9" * 5000)),
        [":6:", "5,000 digits"],
    ),
    "billion-laughs": (
        lambda p: _write(p, _laughs()),
        [f"more than {MOST_VALUES:,} values", "aliases"],
    ),
    "merge-bomb": (lambda p: _write(p, _merges()), [f"more than {MOST_VALUES:,} values", "merges"]),
    "fifo": (_fifo, ["FIFO"]),
    "dev-zero": (_symlink("/dev/zero"), ["character device"]),
    "dev-urandom": (_symlink("/dev/urandom"), ["character device"]),
    "50-MB": (lambda p: _sparse(p, 50_000_000), [f"larger than {MOST_BYTES:,} bytes"]),
    "200000-products": (lambda p: _write(p, _products(200_000)), ["larger than"]),
    "100000-unknown-keys": (lambda p: _write(p, _unknown_keys(100_000)), ["larger than"]),
}


@pytest.fixture(params=sorted(HOSTILE), ids=sorted(HOSTILE))
def hostile(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, list[str]]:
    make, words = HOSTILE[request.param]
    return make(tmp_path / "hostile.yaml"), words


@pytest.mark.parametrize("command", ["validate", "run", "sweep", "optimize"])
def test_each_command_refuses_a_hostile_file_in_one_line(
    hostile: tuple[Path, list[str]], command: str
) -> None:
    path, words = hostile
    result = returns(lambda: invoke(command, path))
    assert_clean_refusal(result, str(path), *words)


def test_a_hostile_file_costs_little_memory(hostile: tuple[Path, list[str]]) -> None:
    """Refused before anything large is built: well under the 2.5 GB an alias bomb took."""
    path, _ = hostile
    tracemalloc.start()
    try:
        with pytest.raises(ScenarioError):
            returns(lambda: servsim.load_scenario(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50_000_000, f"{peak:,} bytes"


def test_a_hostile_experiment_or_scenario_of_an_experiment_is_refused(tmp_path: Path) -> None:
    """An experiment file and the scenario it names go through the same reader."""
    deep = _write(tmp_path / "experiment.yaml", "a: " + "{b: " * 200 + "1" + "}" * 200 + "\n")
    with pytest.raises(ScenarioError, match="nested more than"):
        servsim.load_experiment(deep)
    _fifo(tmp_path / "fifo.yaml")
    named = _write(
        tmp_path / "named.yaml", "scenario: fifo.yaml\nparameters: {processing.staff: [1, 2]}\n"
    )
    result = returns(lambda: invoke("sweep", named))
    assert_clean_refusal(result, "fifo.yaml")


def test_ten_thousand_unknown_keys_are_listed_twenty_then_counted(tmp_path: Path) -> None:
    path = _write(tmp_path / "typos.yaml", _unknown_keys(10_000))
    with pytest.raises(ScenarioError) as caught:
        returns(lambda: servsim.load_scenario(path))
    assert len(caught.value.problems) == 10_000  # every one is kept for the API
    lines = assert_clean_refusal(
        invoke("validate", path), "unknown key 'unknown0'", most_lines=MOST_SHOWN + 1
    )
    assert len(lines) == MOST_SHOWN + 1
    assert (
        lines[-1] == f"{path}: and {10_000 - MOST_SHOWN:,} more problems; fix the ones above first"
    )
    assert "allowed keys here" in lines[0]  # the first are described in full


def test_files_within_the_bounds_still_load(tmp_path: Path) -> None:
    """The bounds are far from real files: 2,000 products, a UTF-8 byte-order mark, aliases."""
    big = _products(2_000).replace("mix: {A: 0.6, B: 0.4}", "mix: {P0: 1}")
    big = big.replace("    A: {policy: base_stock, S: 120, lead_time: 24h}\n", "")
    big = big.replace("    B: {policy: sS", "    P0: {policy: sS")
    scenario = servsim.load_scenario(_write(tmp_path / "big.yaml", big))
    assert len(scenario.products) == 2_000
    bom = _write(tmp_path / "bom.yaml", b"\xef\xbb\xbf" + SMALL_SHOP.encode())
    assert servsim.load_scenario(bom).name == "Small test shop"
    aliased = SMALL_SHOP.replace("lead_time: 24h}", "lead_time: &lead 24h}").replace(
        "lead_time: {dist: gamma, mean: 2d, sd: 12h}}", "lead_time: *lead}"
    )
    assert servsim.load_scenario(_write(tmp_path / "alias.yaml", aliased)).stocking is not None
