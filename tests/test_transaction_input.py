"""Bad input in segments, tiers, profiles and order lines: one clear line each, exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from servsim.cli import main

SEGMENTED = """\
name: Segmented shop
time_unit: hours
horizon: 20d
warmup: 2d
replications: 2
products:
  - {sku: A, unit_cost: 20, price: 35}
  - {sku: B, unit_cost: 50, price: 80}
demand:
  segments:
    consumers:
      arrivals: {process: poisson, rate: 2, profile: {hour_of_day: [1, 2]}}
      mix: {A: 0.7, B: 0.3}
      lines: {dist: poisson, mean: 1.5, min: 1, max: 2}
      tier: basic
    key_accounts:
      arrivals: {process: poisson, rate: 0.5}
      mix: {A: 0.5, B: 0.5}
      lines: 3
      tier: platinum
tiers:
  exceptional: {priority: 2, promise: 24h, mode: drone}
stocking: none
processing: {staff: 2, time: {dist: exponential, mean: 0.3h}}
delivery:
  promise: 48h
  modes: {standard: {transit: 24h}}
  default: standard
"""
FIXED = {
    "profile: {hour_of_day: [1, 2]}": "profile: {hour_of_day: " + str([1] * 24) + "}",
    "lines: 3": "lines: 2",
    "tier: platinum": "tier: exceptional",
    "mode: drone": "mode: standard",
}


def _file(tmp_path: Path, keep_broken: str) -> Path:
    """The segmented shop with every mistake mended except ``keep_broken``."""
    text = SEGMENTED
    for broken, mended in FIXED.items():
        if broken != keep_broken:
            text = text.replace(broken, mended)
    path = tmp_path / "shop.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("broken", "line", "path", "words"),
    [
        (
            "profile: {hour_of_day: [1, 2]}",
            12,
            "demand.segments.consumers.arrivals.profile.hour_of_day",
            ["24 multipliers", "got 2"],
        ),
        ("lines: 3", 19, "demand.segments.key_accounts.lines", ["distinct skus", "offers 2"]),
        (
            "tier: platinum",
            20,
            "demand.segments.key_accounts.tier",
            ["unknown tier 'platinum'", "basic, enhanced, exceptional"],
        ),
        ("mode: drone", 22, "tiers.exceptional.mode", ["unknown carrier mode 'drone'", "standard"]),
    ],
    ids=["profile-length", "lines-beyond-mix", "unknown-tier", "tier-unknown-mode"],
)
def test_each_mistake_gets_one_located_message(
    tmp_path: Path, broken: str, line: int, path: str, words: list[str]
) -> None:
    file = _file(tmp_path, broken)
    result = CliRunner().invoke(main, ["validate", str(file)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = [text for text in result.stderr.splitlines() if text.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{file}:{line}: {path}: "), lines[0]
    for word in words:
        assert word in lines[0]


def test_the_mended_file_is_valid_and_runs_by_segment(tmp_path: Path) -> None:
    file = _file(tmp_path, keep_broken="")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["run", str(file), "-n", "2", "--by", "segment", "--by", "sku", "--out", str(out)]
        + ["--logs", "csv"],
    )
    assert result.exit_code == 0, result.output
    assert "KPIs per segment" in result.output and "key_accounts" in result.output
    assert "KPIs per sku" in result.output
    for name in ("kpis_by_segment", "summary_by_segment", "kpis_by_sku"):
        assert (out / f"{name}.parquet").exists() and (out / f"{name}.csv").exists()
    assert (out / "lines.csv").exists()  # the logs, asked for as CSV


def test_segments_and_a_single_segments_keys_do_not_mix(tmp_path: Path) -> None:
    text = (
        _file(tmp_path, "")
        .read_text()
        .replace("demand:\n  segments:", "demand:\n  mix: {A: 1.0}\n  segments:")
    )
    file = tmp_path / "mixed.yaml"
    file.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(file)])
    assert result.exit_code == 2
    assert "inside each segment" in result.stderr
