"""Regression tests for issue 14, items 2, 5, 7 and 16: targets within a KPI's range,
intervals within it, NaN for what a scenario does not model, every problem of a file at once."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from scipy import stats

import servsim
from servsim.cli import main
from servsim.core.catalogue import CATALOGUE
from servsim.core.errors import Problem, ScenarioError
from servsim.core.kpi_columns import STAGE_KPIS, kpi_of
from servsim.core.stages import STAGES
from servsim.core.validation import validate_all
from servsim.experiment.tables import summarize_points
from servsim.report.run_report import HEADLINE, run_report
from servsim.scenario.schema import Scenario
from servsim.stats.compliance import judge_standards
from servsim.stats.confidence import kpi_interval, summarize, wilson
from servsim.stats.standards import parse_standard
from tests.conftest import ROOT, SCENARIOS, SMALL_SHOP
from tests.sweep_helpers import SMALL_SWEEP, write_experiment


def line_of(text: str, piece: str) -> int:
    """The 1-based line of the first line of ``text`` that contains ``piece``."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if piece in line)


def problems_of(load, path: Path) -> list[Problem]:  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError) as caught:
        load(path)
    return caught.value.problems


def write(tmp_path: Path, text: str, name: str = "shop.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- item 2: a target outside what its KPI can be -------------------------------------------
def test_issue14_item2_percentage_written_as_number(tmp_path: Path) -> None:
    text = SMALL_SHOP + 'standards:\n  otif: ">= 95"\n  cycle_p95: "<= 48h"\n'
    file = write(tmp_path, text)
    (problem,) = problems_of(servsim.load_scenario, file)
    assert (problem.file, problem.line, problem.path) == (
        str(file),
        line_of(text, '">= 95"'),
        "standards.otif",
    )
    assert "95%" in problem.message and "0.95" in problem.message, problem.message
    assert "0 to 1" in problem.message, problem.message
    # written with % it is the same target, and valid
    ok = servsim.load_scenario(write(tmp_path, text.replace('">= 95"', '">= 95%"')))
    assert ok.standards.all[0].target == pytest.approx(0.95)


def test_issue14_item2_experiment_target_as_number(tmp_path: Path) -> None:
    text = SMALL_SWEEP.replace("{otif: {at_least: 0.5}}", "{otif: {at_least: 95}}")
    file = write_experiment(tmp_path, text)
    (problem,) = problems_of(servsim.load_experiment, file)
    assert (problem.line, problem.path) == (line_of(text, "at_least: 95"), "standards.otif")
    assert "95%" in problem.message and "0.95" in problem.message, problem.message


def test_issue14_item2_cli_exits_2_with_one_line(tmp_path: Path) -> None:
    text = SMALL_SWEEP.replace("{otif: {at_least: 0.5}}", "{otif: {at_least: 95}}")
    file = write_experiment(tmp_path, text)
    result = CliRunner().invoke(main, ["sweep", str(file)], prog_name="servsim")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert lines[0].startswith(f"{file}:{line_of(text, 'at_least: 95')}: standards.otif: ")


@pytest.mark.parametrize("kpi", CATALOGUE, ids=lambda kpi: kpi.name)
def test_issue14_item2_every_target_outside_the_range_is_refused(kpi) -> None:  # type: ignore[no-untyped-def]
    lowest, highest = kpi.lowest, kpi.highest
    if math.isfinite(lowest):
        with pytest.raises(ValueError, match="outside what"):
            parse_standard(kpi.name, f">= {lowest - 0.5}")
        with pytest.raises(ValueError, match="never be met"):
            parse_standard(kpi.name, f"< {lowest}")
        assert parse_standard(kpi.name, f">= {lowest}").target == lowest
    if math.isfinite(highest):
        with pytest.raises(ValueError, match="outside what"):
            parse_standard(kpi.name, {"at_most": highest + 0.5})
        with pytest.raises(ValueError, match="never be met"):
            parse_standard(kpi.name, f"> {highest}")
        assert parse_standard(kpi.name, f"<= {highest}").target == highest
    if not (math.isfinite(lowest) or math.isfinite(highest)):  # a profit: any target
        assert parse_standard(kpi.name, ">= -1e9").target == -1e9


# --- item 5: every interval within what its KPI can be ------------------------------------------
@pytest.fixture(scope="module")
def small_run() -> servsim.Results:
    return servsim.simulate(servsim.load_scenario(yaml.safe_load(SMALL_SHOP)), replications=3)


def assert_within_range(summary: pd.DataFrame) -> None:
    for column, row in summary.dropna(subset=["lo", "hi"]).iterrows():
        kpi = kpi_of(str(column[-1] if isinstance(column, tuple) else column))
        if kpi is None:  # a breakdown's own columns (lines of a sku): no range to keep
            continue
        assert kpi.lowest <= row["lo"] <= row["mean"] <= row["hi"] <= kpi.highest, (column, row)


def test_issue14_item5_run_summaries_within_range(small_run: servsim.Results) -> None:
    summary = small_run.summary()
    assert summary["lo"].notna().sum() > 30  # the check has something to check
    assert_within_range(summary)
    assert_within_range(small_run.summary_by("sku"))
    # the verdicts of standards use the same intervals
    judged = judge_standards(
        [parse_standard("otif", ">= 90%"), parse_standard("stock_wait_mean", "<= 5")], summary
    )
    for row in judged.itertuples():
        assert (row.lo, row.hi) == (summary.at[row.kpi, "lo"], summary.at[row.kpi, "hi"])


def test_issue14_item5_rate_near_one_stays_below_one() -> None:
    # three replications near 1: the t interval reaches past 100%, the rate's does not
    frame = pd.DataFrame({"otif": [0.99, 1.0, 0.97], "cycle_mean": [24.0, 25.0, 26.5]})
    summary = summarize(frame)
    n = 3
    sem = frame["otif"].std(ddof=1) / math.sqrt(n)
    t = stats.t.ppf(0.975, n - 1)
    assert frame["otif"].mean() + t * sem > 1  # what the t interval would say
    lo, hi = summary.loc["otif", ["lo", "hi"]]
    assert 0 < lo < frame["otif"].mean() < hi < 1
    assert summary.at["otif", "halfwidth"] == pytest.approx(t * sem)  # the precision, as before
    # a time far from 0: the t interval itself
    sem_cycle = frame["cycle_mean"].std(ddof=1) / math.sqrt(n)
    assert summary.loc["cycle_mean", ["lo", "hi"]].tolist() == pytest.approx(
        [25.1666666 - t * sem_cycle, 25.1666666 + t * sem_cycle]
    )


def test_issue14_item5_count_interval_cut_at_zero() -> None:
    frame = pd.DataFrame({"avg_backorders": [0.0, 0.5, 30.0], "profit": [-5.0, 1.0, 40.0]})
    summary = summarize(frame)
    t_lo = frame.mean() - stats.t.ppf(0.975, 2) * frame.std(ddof=1) / math.sqrt(3)
    t_hi = frame.mean() + stats.t.ppf(0.975, 2) * frame.std(ddof=1) / math.sqrt(3)
    assert t_lo["avg_backorders"] < 0
    assert summary.at["avg_backorders", "lo"] == 0.0
    assert summary.at["avg_backorders", "hi"] == pytest.approx(t_hi["avg_backorders"])
    # a profit may be negative: its t interval is kept as it is
    assert summary.loc["profit", ["lo", "hi"]].tolist() == pytest.approx(
        [t_lo["profit"], t_hi["profit"]]
    )
    # differences of a KPI (the optimizer's paired comparisons) are not cut
    raw = summarize(frame, within_range=False)
    assert raw.at["avg_backorders", "lo"] == pytest.approx(t_lo["avg_backorders"])


@pytest.mark.parametrize(("successes", "trials"), [(97, 100), (3, 40), (250, 251), (10, 20)])
def test_issue14_item5_wilson_matches_scipy(successes: int, trials: int) -> None:
    # at an effective sample size that is a whole number and the normal quantile, the interval
    # is scipy's Wilson score interval of that many yes/no outcomes
    share = successes / trials
    sem = math.sqrt(share * (1 - share) / trials)
    z = stats.norm.ppf(0.975)
    expected = stats.binomtest(successes, trials).proportion_ci(0.95, method="wilson")
    assert wilson(share, sem, z) == pytest.approx((expected.low, expected.high), rel=1e-9)


def test_issue14_item5_balance_interval_within_minus_one_and_one() -> None:
    frame = pd.DataFrame({"net_promoter_score": [0.995, 0.97, 1.0]})
    lo, hi = summarize(frame).loc["net_promoter_score", ["lo", "hi"]]
    assert -1 <= lo < 0.988333 < hi <= 1


def test_issue14_item5_rate_interval_covers_about_as_often_as_it_says() -> None:
    # three replications of 300 orders at a true OTIF of 0.99, the share varying between
    # replications: the t interval covers the true rate less often than its 95%, the rate's
    # Wilson interval at least as often as the t interval and close to 95%
    rng = np.random.default_rng(14)
    truth, trials = 0.99, 4000
    shares = rng.binomial(300, rng.beta(198, 2, size=(trials, 3))) / 300
    t = stats.t.ppf(0.975, 2)
    covered_t = covered = 0
    for values in shares:
        mean, sem = values.mean(), values.std(ddof=1) / math.sqrt(3)
        covered_t += mean - t * sem <= truth <= mean + t * sem
        lo, hi = kpi_interval("otif", mean, sem, t, mean - t * sem, mean + t * sem)
        covered += lo <= truth <= hi
    # 4000 draws: a standard error of 0.35 points of coverage
    assert covered >= covered_t
    assert 0.94 <= covered / trials <= 0.99, covered / trials
    assert covered_t / trials < 0.945, covered_t / trials


def test_issue14_item5_sweep_summary_within_range() -> None:
    runs = pd.DataFrame(
        {
            "point": [0, 0, 0, 1, 1, 1],
            "replication": [0, 1, 2, 0, 1, 2],
            "seed": [1, 2, 3, 1, 2, 3],
            "processing.staff": [1, 1, 1, 2, 2, 2],
            "otif": [0.99, 1.0, 0.97, 0.5, 0.6, 0.55],
            "avg_backorders": [0.0, 0.5, 30.0, 1.0, 1.1, 1.2],
        }
    )
    summary = summarize_points(runs, ["processing.staff"], 0.95)
    for kpi in ("otif", "avg_backorders"):
        entry = kpi_of(kpi)
        assert entry is not None
        assert (summary[f"{kpi}_lo"] >= entry.lowest).all()
        assert (summary[f"{kpi}_hi"] <= entry.highest).all()
        assert (summary[f"{kpi}_lo"] <= summary[f"{kpi}_mean"]).all()
        assert (summary[f"{kpi}_mean"] <= summary[f"{kpi}_hi"]).all()


def test_issue14_item5_run_table_within_range(tmp_path: Path) -> None:
    scenario = write(tmp_path, SMALL_SHOP.replace("replications: 2", "replications: 3"))
    result = CliRunner().invoke(main, ["run", str(scenario)], prog_name="servsim")
    assert result.exit_code == 0, result.output
    rows = re.findall(r"│ (\w+)\s+│\s+\S+ │\s+(\S+) \.\. (\S+) │", result.output)
    assert len(rows) > 30, result.output

    def number(text: str) -> float:
        value = float(text.rstrip("%").replace(",", ""))
        return value / 100 if text.endswith("%") else value

    for name, lo, hi in rows:
        kpi = kpi_of(name)
        assert kpi is not None, name
        assert kpi.lowest <= number(lo) <= number(hi) <= kpi.highest, (name, lo, hi)


# --- item 7: NaN for a part of the business the scenario does not model --------------------------
NO_COMPLAINTS = {  # complaints modelled, at a chance of 0 whatever happens
    "chance": {"base": 0.0, "late": 0.0, "per_day_late": 0.0, "incomplete": 0.0},
    "after": {"dist": "exponential", "mean": "6h"},
    "support": {"staff": 1, "wage": 25},
    "time": {"dist": "exponential", "mean": "1h"},
}


def test_issue14_item7_unmodelled_stage_is_nan(small_run: servsim.Results) -> None:
    scenario = small_run.scenario
    assert scenario.modelled_stages == frozenset()  # the small shop models none of them
    absent = [kpi for kpis in STAGE_KPIS.values() for kpi in kpis]
    assert {"complaint_rate", "return_rate", "notices_per_order", "repair_rate"} <= set(absent)
    assert small_run.kpis[absent].isna().all().all()
    assert small_run.summary().loc[absent, "mean"].isna().all()
    # per segment too, and every other KPI is still measured
    by_segment = small_run.kpis_by("segment")
    per_segment = [kpi for kpi in absent if kpi in by_segment.columns]
    assert "complaint_rate" in per_segment
    assert by_segment[per_segment].isna().all().all()
    measured = [c for c in small_run.kpis.columns if c not in absent and kpi_of(c) is not None]
    assert small_run.kpis[["otif", "cycle_p95", "cost_total"]].notna().all().all()
    assert len(measured) > 40


def test_issue14_item7_modelled_stage_with_no_events_stays_zero() -> None:
    document = yaml.safe_load(SMALL_SHOP)
    document["complaints"] = NO_COMPLAINTS
    results = servsim.simulate(servsim.load_scenario(document), replications=2)
    assert results.scenario.modelled_stages == {"complaints"}
    assert (results.kpis["complaint_rate"] == 0).all()
    assert (results.kpis["claim_rate"] == 0).all()
    assert results.kpis["resolution_time_mean"].isna().all()  # nothing to measure
    assert results.kpis["return_rate"].isna().all()  # returns are not modelled


def test_issue14_item7_every_stage_is_decided_from_the_scenario() -> None:
    # every stage of the catalogue has KPIs, and each is modelled by some example scenario
    assert all(STAGE_KPIS[stage] for stage in STAGES)
    modelled = set().union(*(servsim.load_scenario(path).modelled_stages for path in SCENARIOS))
    assert modelled <= set(STAGES)
    assert {"complaints", "returns", "installation", "notices"} <= modelled


def test_issue14_item7_headline_leaves_out_what_is_not_modelled(
    small_run: servsim.Results,
) -> None:
    html = run_report(small_run)
    summary = html[: html.index("All KPIs")]
    assert "complaint_rate" in HEADLINE and "complaint_rate" not in summary
    assert "otif" in summary  # the headline is there, without the unmodelled figures
    result = CliRunner().invoke(
        main, ["run", str(ROOT / "scenarios" / "webshop.yaml"), "--replications", "2"]
    )
    assert result.exit_code == 0, result.output
    (line,) = [row for row in result.output.splitlines() if "complaint_rate" in row]
    assert re.search(r"│\s+-\s+│\s+-\s+│", line), line


# --- item 16: every problem of a file in one pass ----------------------------------------------
THREE_MISTAKES = """\
name: mine
scenario: shop.yaml
parameters:
  processing.stafff: [1, 2]
  stocking.items.A.S: {range: [760, 560], step: 100}
  delivery.promise: {values: ['48 hours', 24h]}
replications: 2
"""


def test_issue14_item16_three_experiment_mistakes_at_once(tmp_path: Path) -> None:
    # the three mistakes of docs/howto/input-errors.md: a typo in a path, an empty range and
    # a value the scenario refuses; the range is the schema's, the others the scenario's
    file = write_experiment(tmp_path, THREE_MISTAKES)
    found = problems_of(servsim.load_experiment, file)
    assert [(p.line, p.path) for p in found] == [
        (4, "parameters.processing.stafff"),
        (5, "parameters.stocking.items.A.S.range"),
        (6, "parameters.delivery.promise"),
    ], found
    assert "did you mean 'staff'" in found[0].message
    assert "range is empty" in found[1].message
    assert "'48 hours'" in found[2].message
    result = CliRunner().invoke(main, ["sweep", str(file)], prog_name="servsim")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 3, result.output


def test_issue14_item16_docs_example_is_what_the_loader_says(tmp_path: Path) -> None:
    # the guide shows the three lines of these mistakes: the loader says the same, at once
    guide = (ROOT / "docs" / "howto" / "input-errors.md").read_text(encoding="utf-8")
    shown = re.findall(r"^experiments/mine\.yaml:(\d+): ([\w.]+): (.*)$", guide, re.M)
    assert len(shown) == 3, shown
    found = problems_of(servsim.load_experiment, write_experiment(tmp_path, THREE_MISTAKES))
    assert [(int(line), path) for line, path, _ in shown] == [(p.line, p.path) for p in found]
    assert [message for *_, message in shown] == [p.message for p in found]


def test_issue14_item16_mix_unknown_sku_and_sum_at_once(tmp_path: Path) -> None:
    text = SMALL_SHOP.replace("mix: {A: 0.6, B: 0.4}", "mix: {A: 0.6, C: 0.6}")
    found = problems_of(servsim.load_scenario, write(tmp_path, text))
    line = line_of(text, "mix:")
    assert [(p.line, p.path) for p in found] == [(line, "demand.mix"), (line, "demand.mix")]
    messages = " | ".join(p.message for p in found)
    assert "sum to 1.2" in messages and "C is not a product" in messages


def test_issue14_item16_problems_in_every_section_at_once(tmp_path: Path) -> None:
    # a refused value (mix), a number below its bound (S), a typo, and checks across fields
    # of the whole scenario (warm-up, a tier's mode) and of a section (s below S)
    text = (
        SMALL_SHOP.replace("mix: {A: 0.6, B: 0.4}", "mix: {A: 0.6, C: 0.6}")
        .replace("warmup: 1d", "warmup: 20d")
        .replace("A: {policy: base_stock, S: 120,", "A: {policy: base_stock, S: -5,")
        .replace("s: 60, S: 150,", "s: 60, S: 50,")
        .replace("  staff: 2\n", "  staff: 2\n  stafff: 3\n")
        + "tiers:\n  gold: {mode: drone}\n"
    )
    found = problems_of(servsim.load_scenario, write(tmp_path, text))
    assert [(p.path, p.line) for p in found] == [
        ("warmup", line_of(text, "warmup:")),
        ("demand.mix", line_of(text, "mix:")),
        ("demand.mix", line_of(text, "mix:")),
        ("stocking.items.A.S", line_of(text, "S: -5")),
        ("stocking.items.B", line_of(text, "S: 50")),
        ("processing.stafff", line_of(text, "stafff")),
        ("tiers.gold.mode", line_of(text, "drone")),
    ], found
    # a stand-in is never shown: S is reported as written, the check of s and S as written
    assert "got -5" in found[3].message
    assert "S (50)" in found[4].message


def test_issue14_item16_no_problem_about_a_stand_in(tmp_path: Path) -> None:
    # S below its bound is read as 0 by the second pass; the check of s and S of that item
    # would then speak of S (0), which the file does not say: it is left out
    text = SMALL_SHOP.replace("s: 60, S: 150,", "s: 60, S: -1,")
    found = problems_of(servsim.load_scenario, write(tmp_path, text))
    assert [(p.path, p.message) for p in found] == [
        ("stocking.items.B.S", "must be >= 0, got -1")
    ], found


def test_issue14_item16_a_valid_file_is_validated_once(tmp_path: Path) -> None:
    scenario = servsim.load_scenario(write(tmp_path, SMALL_SHOP))
    assert scenario.skus == ["A", "B"]
    assert validate_all(Scenario, yaml.safe_load(SMALL_SHOP)).errors == []


def test_issue14_item7_standard_on_an_unmodelled_kpi_is_refused(tmp_path: Path) -> None:
    # a complaint rate without complaints is NaN in every run: its standard could never be
    # judged, so the file says so at the standard's line
    text = SMALL_SHOP + 'standards:\n  otif: ">= 50%"\n  complaint_rate: "<= 5%"\n'
    (problem,) = problems_of(servsim.load_scenario, write(tmp_path, text))
    assert (problem.line, problem.path) == (
        line_of(text, "complaint_rate"),
        "standards.complaint_rate",
    )
    assert "complaints" in problem.message and "never be judged" in problem.message
    # with complaints modelled the same standard is read
    document = yaml.safe_load(text)
    document["complaints"] = NO_COMPLAINTS
    assert len(servsim.load_scenario(document).standards.all) == 2
