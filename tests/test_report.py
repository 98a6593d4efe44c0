"""The HTML report: what it says, that it is self-contained, and the CLI that writes it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from plotly.offline import get_plotlyjs

import servsim
from servsim import report
from servsim.cli import main
from tests import report_tables
from tests.report_helpers import small_run, swept_folder

PLOTLY_JS = get_plotlyjs()
PLOTLY_BANNER = PLOTLY_JS[:40]


@pytest.fixture(scope="module")
def results_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return swept_folder(tmp_path_factory.mktemp("sweep"))


def _self_contained(page: str) -> None:
    """plotly.js inlined exactly once; nothing loaded from anywhere."""
    assert page.count(PLOTLY_BANNER) == 1
    ours = page.replace(PLOTLY_JS, "")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", ours)
    assert "cdn.plot.ly" not in ours and "mathjax" not in ours.lower()


def test_the_sweep_report_recommends_the_cheapest_policy_meeting_every_standard():
    page = report.report_html(report_tables.sweep())
    _self_contained(page)
    assert "Recommended: point 1 (staff = 1, stock = 20)" in page
    assert "The runner-up is point 3" in page
    assert "the cheapest of the 3 policies that meet every standard" in page
    assert "12 runs in all: 2 replications per policy" in page
    for figure in ("exchange-curve", "standards-table", "cost-breakdown", "heatmap-otif"):
        assert f'data-figure="{figure}"' in page


def test_a_sweep_where_nothing_meets_the_standards_says_so_and_names_the_closest():
    page = report.report_html(report_tables.sweep(standards={"otif": ">= 0.99"}))
    assert "No policy meets every standard (otif &gt;= 0.99) with 95% confidence" in page
    assert "Recommended" not in page


def test_a_sweep_without_standards_recommends_nothing_and_lists_the_frontier():
    page = report.report_html(report_tables.sweep(standards={}))
    assert "no policy is recommended" in page
    assert 'data-figure="standards-table"' not in page


def test_the_sweep_report_shows_the_settings_from_the_results_folder(results_folder):
    page = report.report_html(servsim.SweepResults.from_folder(results_folder))
    _self_contained(page)
    assert "Decision review: small sweep" in page
    assert "Experiment file" in page and "stocking.items.A.S: {range: [40, 120], step: 40}" in page
    assert "Scenario file" in page and "name: Small test shop" in page
    assert "36 runs in all: 3 replications per policy, seed 5" in page


def test_the_run_report_has_its_figures_and_every_kpi():
    page = report.report_html(small_run())
    _self_contained(page)
    assert "Run report: Small test shop" in page
    for figure in ("levels-over-time", "cycle-time-ecdf", "cost-breakdown"):
        assert f'data-figure="{figure}"' in page
    assert "All KPIs" in page and "cost_per_order" in page
    assert "Scenario (as validated" in page  # loaded from a mapping: no file to show


def test_the_run_report_leads_with_the_scenario_standards():
    results = small_run(standards="standards: {otif: '>= 50%', cycle_p50: '<= 1h'}\n")
    page = report.report_html(results)
    assert "This policy meets 1 of 2 standards" in page
    assert '<td class="missed">missed</td>' in page
    assert 'data-figure="standards"' in page
    assert 'data-figure="dissatisfaction-causes"' in page


def test_write_report_never_overwrites_without_force(tmp_path):
    target = tmp_path / "review.html"
    target.write_text("annotated by hand")
    sweep = report_tables.sweep()
    with pytest.raises(FileExistsError, match="already exists"):
        report.write_report(sweep, target)
    assert target.read_text() == "annotated by hand"
    assert report.write_report(sweep, target, force=True) == target
    assert "Decision review" in target.read_text()


def test_cli_report_writes_into_the_results_folder_and_refuses_to_overwrite(results_folder):
    runner = CliRunner()
    first = runner.invoke(main, ["report", str(results_folder)])
    assert first.exit_code == 0, first.output
    written = results_folder / "report.html"
    assert written.is_file() and "Decision review" in written.read_text()
    again = runner.invoke(main, ["report", str(results_folder)])
    assert again.exit_code == 2
    assert f"{written}: already exists" in again.output and "--force" in again.output
    forced = runner.invoke(main, ["report", str(results_folder), "--force"])
    assert forced.exit_code == 0, forced.output


def test_cli_report_to_a_chosen_file(results_folder, tmp_path):
    out = tmp_path / "board" / "review.html"
    refused = CliRunner().invoke(main, ["report", str(results_folder), "--out", str(out)])
    assert refused.exit_code == 2 and "Traceback" not in refused.output  # no folder made for it
    assert not out.parent.exists()
    out.parent.mkdir()
    done = CliRunner().invoke(main, ["report", str(results_folder), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert out.is_file()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda folder: folder / "missing", "no such folder"),
        (lambda folder: folder, "no manifest.json, not the results folder of a sweep"),
    ],
)
def test_cli_report_of_something_not_a_sweep_is_a_clear_error(tmp_path, make, message):
    done = CliRunner().invoke(main, ["report", str(make(tmp_path))])
    assert done.exit_code == 2
    assert message in done.output
    assert "Traceback" not in done.output


def test_cli_report_of_a_damaged_manifest_is_a_clear_error(tmp_path):
    (tmp_path / "manifest.json").write_text("{not json")
    done = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert done.exit_code == 2
    assert "manifest.json is damaged" in done.output


def test_cli_run_with_report(tmp_path, monkeypatch):
    from tests.conftest import SMALL_SHOP

    scenario = tmp_path / "shop.yaml"
    scenario.write_text(SMALL_SHOP.replace("10d", "4d"))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    done = runner.invoke(main, ["run", str(scenario), "-n", "2", "--report"])
    assert done.exit_code == 0, done.output
    page = (tmp_path / "shop.report.html").read_text()
    assert "Run report: Small test shop" in page and "Scenario file" in page
    refused = runner.invoke(main, ["run", str(scenario), "--report", "-n", "2"])
    assert refused.exit_code == 2 and "shop.report.html: already exists" in refused.output
    into_out = runner.invoke(main, ["run", str(scenario), "-n", "2", "--out", "out", "--report"])
    assert into_out.exit_code == 0, into_out.output
    assert (tmp_path / "out" / "report.html").is_file()


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def test_cli_report_of_a_run_folder_is_the_run_report(tmp_path, monkeypatch):
    """`servsim run --out` keeps what a report needs: `servsim report` on the folder later
    gives the page `run --report` gave, but for the scenario shown as run (overrides in)."""
    from tests.test_standards import scenario_text

    (tmp_path / "shop.yaml").write_text(scenario_text())  # with a per-segment standard
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    done = runner.invoke(
        main, ["run", "shop.yaml", "-n", "2", "--out", "out", "--report", "at-once.html"]
    )
    assert done.exit_code == 0, done.output
    later = runner.invoke(main, ["report", "out"])
    assert later.exit_code == 0, later.output
    pages = [UUID.sub("id", Path(name).read_text()) for name in ("at-once.html", "out/report.html")]
    settings = "<h2>Settings</h2>"
    assert pages[0].split(settings)[0] == pages[1].split(settings)[0]
    assert "<td>otif[trade] &gt;= 0.5</td>" in pages[1]  # judged from the kept breakdown
    assert "Scenario file out/scenario.yaml" in pages[1]
    _self_contained(pages[1])


def test_a_run_folder_without_what_a_report_needs_points_to_run_report(tmp_path):
    (tmp_path / "kpis.parquet").write_bytes(b"")  # a folder an older servsim wrote
    done = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert done.exit_code == 2
    assert "servsim run FILE --report" in done.output


def test_stored_results_name_the_tables_the_folder_does_not_keep(tmp_path):
    from servsim.run.folder import read_run_folder, write_run_folder

    results = small_run()
    write_run_folder(results, tmp_path / "run", confidence=0.9)
    stored, confidence = read_run_folder(tmp_path / "run")
    assert confidence == 0.9 and stored.seed == results.seed
    assert stored.scenario == results.scenario
    assert stored.summary(0.9).equals(results.summary(0.9))
    assert stored.stock_levels.equals(results.stock_levels)
    with pytest.raises(ValueError, match="keeps no shipments table"):
        stored.shipments  # noqa: B018
