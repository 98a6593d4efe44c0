"""The written service policy: a scenario's standards, read, judged and shown by ``servsim run``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner, Result

import servsim
from servsim.cli import main
from servsim.core.errors import Problem, ScenarioError
from servsim.stats.standards import Standard, parse_standard
from tests.conftest import SMALL_SHOP
from tests.sweep_helpers import SMALL_SWEEP, write_experiment

SEGMENTED_SHOP = SMALL_SHOP.replace(
    """\
demand:
  arrivals: {process: poisson, rate: 2}
  mix: {A: 0.6, B: 0.4}
  quantity: {dist: poisson, mean: 1.5, min: 1}
""",
    """\
demand:
  segments:
    homes:
      arrivals: {process: poisson, rate: 1.5}
      mix: {A: 0.6, B: 0.4}
      quantity: 1
    trade:
      arrivals: {process: poisson, rate: 0.5}
      mix: {A: 1.0}
      quantity: 2
""",
).replace("replications: 2", "replications: 3")

# Met for sure: almost every order of the small shop is on time (promise 48h, transit ~24h).
# Missed for sure: no order is delivered within an hour.
STANDARDS = """\
standards:
  otif: ">= 50%"
  cycle_p95: "<= 1h"
  segments:
    trade: {otif: {at_least: 0.5}, cycle_mean: "<= 30min"}
"""


def scenario_text(standards: str = STANDARDS, base: str = SEGMENTED_SHOP) -> str:
    assert "replications" in base
    return base + standards


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "shop.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, piece: str) -> int:
    """The 1-based line of the first line of ``text`` that contains ``piece``."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if piece in line)


def problems(path: Path) -> list[Problem]:
    with pytest.raises(ScenarioError) as caught:
        servsim.load_scenario(path)
    return caught.value.problems


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args], prog_name="servsim")


# --- reading --------------------------------------------------------------------------------------
def test_standards_are_read_in_the_scenario_time_unit() -> None:
    scenario = servsim.load_scenario(yaml.safe_load(scenario_text()))
    assert scenario.standards.all == (
        Standard("otif", ">=", 0.5),
        Standard("cycle_p95", "<=", 1.0),
        Standard("otif", ">=", 0.5, "trade"),
        Standard("cycle_mean", "<=", 0.5, "trade"),
    )
    assert scenario.standards.flat == {
        "otif": ">= 0.5",
        "cycle_p95": "<= 1.0",
        "otif[trade]": ">= 0.5",
        "cycle_mean[trade]": "<= 0.5",
    }
    assert [str(standard) for standard in scenario.standards.all][2] == "otif[trade] >= 0.5"


@pytest.mark.parametrize(
    ("time_unit", "written", "target"),
    [
        ("hours", "<= 3d", 72.0),
        ("hours", "<= 90min", 1.5),
        ("hours", {"at_most": "2w"}, 336.0),
        ("days", "<= 96h", 4.0),
        ("days", "< 2.5", 2.5),
    ],
)
def test_a_unit_on_a_time_target_is_converted(time_unit: str, written: object, target: float):
    document = yaml.safe_load(SMALL_SHOP)
    if time_unit == "days":
        document.update(time_unit="days", horizon=10, warmup=1)
    document["standards"] = {"cycle_p95": written}
    (standard,) = servsim.load_scenario(document).standards.all
    assert standard.target == pytest.approx(target)


def test_no_standards_section_means_none() -> None:
    scenario = servsim.load_scenario(yaml.safe_load(SMALL_SHOP))
    assert not scenario.standards
    assert scenario.standards.all == ()


def test_dump_and_overrides_keep_the_written_form() -> None:
    scenario = servsim.load_scenario(yaml.safe_load(scenario_text()))
    dumped = scenario.model_dump()["standards"]
    assert dumped == yaml.safe_load(STANDARDS)["standards"]
    stricter = scenario.with_overrides({"standards.cycle_p95": "<= 2d"})
    assert stricter.standards.all[1] == Standard("cycle_p95", "<=", 48.0)


def test_parse_standard_refuses_a_unit_without_a_time_unit() -> None:
    with pytest.raises(ValueError, match="needs the scenario's time unit"):
        parse_standard("cycle_p95", "<= 72h")


# --- mistakes, each with its file, line and field -------------------------------------------------
@pytest.mark.parametrize(
    ("bad", "piece", "path", "words"),
    [
        ("  otiff: '>= 0.9'\n", "otiff", "standards.otiff", ("unknown KPI 'otiff'", "'otif'")),
        ("  otif: '>= 0.9h'\n", "0.9h", "standards.otif", ("not measured in time", "cycle_p95")),
        ("  otif: '=> 0.9'\n", "=> 0.9", "standards.otif", ("'>= 0.95'", "at_least", "'=> 0.9'")),
        ("  otif: {at_lest: 0.9}\n", "at_lest", "standards.otif", ("at_least",)),
        ("  otif: 0.9\n", "otif", "standards.otif", ("a comparison in quotes",)),
        (
            "  segments:\n    trades: {otif: '>= 0.9'}\n",
            "trades",
            "standards.segments.trades",
            ("unknown segment 'trades'", "(did you mean 'trade'?)", "homes, trade"),
        ),
        (
            "  segments:\n    trade: {cycle_p59: '<= 2d'}\n",
            "cycle_p59",
            "standards.segments.trade.cycle_p59",
            ("unknown KPI 'cycle_p59'",),
        ),
        (
            "  segments:\n    trade: {cost_total: '<= 1'}\n",
            "cost_total",
            "standards.segments.trade.cost_total",
            ("cost_total is measured for the whole business only", "otif, perfect_order_rate"),
        ),
        (
            "  segments:\n    trade: {otif: '>= 98 %%'}\n",
            "98 %%",
            "standards.segments.trade.otif",
            ("expected a comparison",),
        ),
    ],
)
def test_a_bad_standard_names_file_line_and_field(
    tmp_path: Path, bad: str, piece: str, path: str, words: tuple[str, ...]
) -> None:
    text = scenario_text("standards:\n" + bad)
    file = write(tmp_path, text)
    (problem,) = problems(file)
    assert problem.file == str(file)
    assert problem.line == line_of(text, piece)
    assert problem.path == path
    for word in words:
        assert word in problem.message, problem.message


def test_every_malformed_standard_is_reported_at_once(tmp_path: Path) -> None:
    text = scenario_text("standards:\n  otif: 'at least 0.9'\n  cycle_p95: '< soon'\n")
    found = problems(write(tmp_path, text))
    assert [(problem.path, problem.line) for problem in found] == [
        ("standards.otif", line_of(text, "at least")),
        ("standards.cycle_p95", line_of(text, "soon")),
    ]


def test_standards_must_be_a_mapping(tmp_path: Path) -> None:
    text = scenario_text("standards:\n  - otif >= 0.9\n")
    (problem,) = problems(write(tmp_path, text))
    assert problem.path == "standards"
    assert problem.line == line_of(text, "standards:")


def test_an_experiment_target_takes_no_unit(tmp_path: Path) -> None:
    text = SMALL_SWEEP.replace(
        "standards: {otif: {at_least: 0.5}}", "standards: {cycle_p95: <= 3d}"
    )
    with pytest.raises(ScenarioError, match="take no time unit"):
        servsim.load_experiment(write_experiment(tmp_path, text))


# --- judging --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def judged() -> pd.DataFrame:
    scenario = servsim.load_scenario(yaml.safe_load(scenario_text()))
    return servsim.simulate(scenario).standards()


def test_results_standards_has_one_row_per_standard(judged: pd.DataFrame) -> None:
    assert list(judged.columns) == [
        "standard",
        "kpi",
        "segment",
        "operator",
        "target",
        "mean",
        "lo",
        "hi",
        "status",
    ]
    assert judged["standard"].tolist() == [
        "otif >= 0.5",
        "cycle_p95 <= 1",
        "otif[trade] >= 0.5",
        "cycle_mean[trade] <= 0.5",
    ]
    assert judged["segment"].tolist() == [None, None, "trade", "trade"]


def test_a_clear_margin_is_met_or_missed(judged: pd.DataFrame) -> None:
    status = dict(zip(judged["standard"], judged["status"], strict=True))
    assert status["otif >= 0.5"] == "met"
    assert status["cycle_p95 <= 1"] == "missed"
    assert status["otif[trade] >= 0.5"] == "met"
    assert status["cycle_mean[trade] <= 0.5"] == "missed"
    overall = judged.iloc[0]
    assert 0.5 <= overall["lo"] <= overall["mean"] <= overall["hi"]
    assert judged.iloc[1]["lo"] > 1.0  # hours: the whole interval above the target


def test_segment_rows_use_the_segment_kpis() -> None:
    scenario = servsim.load_scenario(yaml.safe_load(scenario_text()))
    results = servsim.simulate(scenario, replications=2)
    judged = results.standards(confidence=0.9).set_index("standard")
    by_segment = results.summary_by("segment", 0.9)
    assert judged.loc["otif[trade] >= 0.5", "mean"] == by_segment.loc[("trade", "otif"), "mean"]
    assert judged.loc["otif[trade] >= 0.5", "hi"] == by_segment.loc[("trade", "otif"), "hi"]
    assert judged.loc["otif >= 0.5", "lo"] == results.summary(0.9).loc["otif", "lo"]


def test_one_replication_gives_no_interval_so_unclear() -> None:
    scenario = servsim.load_scenario(yaml.safe_load(scenario_text()))
    judged = servsim.simulate(scenario, replications=1).standards()
    assert set(judged["status"]) == {"unclear"}
    assert judged["mean"].iloc[0] > 0.5


def test_without_standards_the_table_is_empty_with_its_columns() -> None:
    results = servsim.simulate(servsim.load_scenario(yaml.safe_load(SMALL_SHOP)), replications=1)
    judged = results.standards()
    assert judged.empty
    assert "status" in judged.columns
    assert judged["target"].dtype == float


# --- servsim run ----------------------------------------------------------------------------------
def test_run_prints_the_standards_and_exits_0_when_one_is_missed(tmp_path: Path) -> None:
    file = write(tmp_path, scenario_text())
    out = tmp_path / "out"
    result = invoke("run", file, "--out", out)
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.index("Service standards") > text.index("cost_per_order")  # after the KPIs
    assert "2 met, 2 missed, 0 unclear" in text
    assert "otif [trade]" in text
    written = pd.read_parquet(out / "standards.parquet")
    assert written["status"].tolist() == ["met", "missed", "met", "missed"]
    assert len(pd.read_csv(out / "standards.csv")) == 4


def test_run_without_standards_prints_no_standards_table(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("run", write(tmp_path, SMALL_SHOP), "--out", out)
    assert result.exit_code == 0, result.output
    assert "Service standards" not in result.output
    assert not (out / "standards.csv").exists()


# --- experiments ----------------------------------------------------------------------------------
def test_an_experiment_without_standards_uses_the_scenario_ones(tmp_path: Path) -> None:
    text = SMALL_SWEEP.replace("standards: {otif: {at_least: 0.5}}\n", "")
    path = write_experiment(tmp_path, text, scenario=scenario_text())
    experiment = servsim.load_experiment(path)
    assert (
        experiment.standards_to_meet == servsim.load_scenario(tmp_path / "shop.yaml").standards.flat
    )
    assert [str(standard) for standard in experiment.standard_list] == [
        "otif >= 0.5",
        "cycle_p95 <= 1",
        "otif[trade] >= 0.5",
        "cycle_mean[trade] <= 0.5",
    ]


def test_an_experiment_standards_replace_the_scenario_ones(tmp_path: Path) -> None:
    experiment = servsim.load_experiment(
        write_experiment(tmp_path, SMALL_SWEEP, scenario=scenario_text())
    )
    assert experiment.standards_to_meet == {"otif": ">= 0.5"}


def test_a_sweep_without_standards_is_judged_by_the_scenario_ones(tmp_path: Path) -> None:
    text = SMALL_SWEEP.replace("standards: {otif: {at_least: 0.5}}\n", "").replace(
        "processing.staff: [1, 2]", "processing.staff: [2]"
    )
    path = write_experiment(tmp_path, text, scenario=SMALL_SHOP + "standards:\n  otif: '>= 0.5'\n")
    result = invoke("sweep", path, "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "Cheapest point meeting every standard" in result.output
    again = servsim.SweepResults.from_folder(tmp_path / "results")
    assert again.standards == {"otif": ">= 0.5"}
    assert "met" in set(again.check()["otif >= 0.5"])
    assert again.best() is not None
