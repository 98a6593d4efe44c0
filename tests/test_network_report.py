"""The run report's network section: the network's KPIs and every location's stock, fill
rate and costs, shown for a run with a network (also from a run folder), absent without."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import servsim
from servsim import report
from servsim.cli import main
from servsim.report import style
from servsim.report.network import LOCATION_COSTS, LOCATION_KPIS, NETWORK_KPIS, locations_figure
from tests.conftest import ROOT
from tests.test_network import _network_scenario

LOCATIONS = ("dc", "north_wh", "south_wh", "west_wh")
SHORT = {"horizon": "60d", "warmup": "10d"}


def test_a_network_runs_report_shows_its_locations_and_network_kpis() -> None:
    scenario = servsim.load_scenario(ROOT / "scenarios" / "network.yaml").with_overrides(SHORT)
    results = servsim.simulate(scenario, replications=3, seed=1)
    page = report.report_html(results)
    network = page[page.index("<h2>Network</h2>") : page.index("<h2>All KPIs</h2>")]
    for kpi in NETWORK_KPIS:
        assert f"<td>{kpi}</td>" in network, kpi
    for kpi in LOCATION_KPIS:
        assert f"<th>{kpi}</th>" in network, kpi
    for location in LOCATIONS:
        assert f"<td>{location}</td>" in network, location
    assert 'data-figure="network-locations"' in network
    # the bars are the per-location means, each cost term stacked in the costs panel
    by_location = results.summary_by("location")
    figure = locations_figure(by_location)
    bars = {trace.name: dict(zip(trace.x, trace.y, strict=True)) for trace in figure.data}
    for location in LOCATIONS:
        for kpi in ("unit_fill_rate", "avg_on_hand", *LOCATION_COSTS):
            assert bars[style.kpi_name(kpi)][location] == pytest.approx(
                by_location.loc[(location, kpi), "mean"]
            ), (location, kpi)


def test_a_run_without_a_network_has_no_network_section() -> None:
    from tests.test_report import small_run

    page = report.report_html(small_run())
    assert "<h2>Network</h2>" not in page and "network-locations" not in page
    assert "transshipment_rate" not in page


@pytest.mark.parametrize("with_network", [True, False])
def test_the_report_of_a_run_folder_has_the_network_section_iff_a_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, with_network: bool
) -> None:
    from tests.conftest import SMALL_SHOP

    if with_network:
        text = (ROOT / "scenarios" / "network.yaml").read_text(encoding="utf-8")
        text = text.replace("horizon: 200d", "horizon: 40d").replace("warmup: 20d", "warmup: 5d")
    else:
        text = SMALL_SHOP.replace("10d", "4d")
    (tmp_path / "scenario.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    done = runner.invoke(main, ["run", "scenario.yaml", "-n", "2", "--out", "out"])
    assert done.exit_code == 0, done.output
    later = runner.invoke(main, ["report", "out"])
    assert later.exit_code == 0, later.output
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert ("<h2>Network</h2>" in page) is with_network
    assert ('data-figure="network-locations"' in page) is with_network


def test_one_location_networks_report_too() -> None:
    """The textbook serial system (two locations, one region) has its section as well."""
    results = servsim.simulate(_network_scenario(horizon=300), replications=2)
    page = report.report_html(results)
    network = page[page.index("<h2>Network</h2>") : page.index("<h2>All KPIs</h2>")]
    assert "<td>dc</td>" in network and "<td>shop0</td>" in network


def test_every_interval_of_a_location_respects_its_range() -> None:
    """Issue 14 item 5 for the breakdown by location: its own counts (lines served, units owed
    and transshipped) are cut at 0 like any KPI's, and its wide table scrolls in its own box."""
    scenario = servsim.load_scenario(ROOT / "scenarios" / "network.yaml").with_overrides(SHORT)
    results = servsim.simulate(scenario, replications=2, seed=3)
    summary = results.summary_by("location")
    counts = summary.loc[(slice(None), ["lines", "avg_owed", "transshipped_in"]), :]
    assert (counts["lo"].dropna() >= 0).all()
    page = report.report_html(results)
    assert page.count('<div class="table"><table class="data">') == page.count(
        '<table class="data">'
    )
