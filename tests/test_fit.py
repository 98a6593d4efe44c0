"""servsim fit: the fitted demand recovers known parameters, and round-trips the KPIs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

import servsim
from servsim.cli import main
from servsim.run.fit import fit_history
from tests.conftest import stage_scenario
from tests.test_history import BAD_HISTORY

HOURS = np.asarray(
    [0.0] * 7 + [1.0, 2.0, 2.0, 1.5, 1.5, 2.0, 2.0, 1.5, 1.5, 2.0, 2.0, 1.0] + [0.0] * 5
)
HOURS = HOURS * 24 / HOURS.sum()
DAYS = np.asarray([1.2, 1.0, 1.0, 1.0, 1.3, 0.9, 0.6])
DAYS = DAYS * 7 / DAYS.sum()
RATE = 3.0
MIX = {"A": 0.5, "B": 0.3, "C": 0.2}
STOCKING = {
    "stockout": "backorder",
    "items": {
        sku: {"policy": "base_stock", "S": int(RATE * share * 2.3 * 48 + 40), "lead_time": 48}
        for sku, share in MIX.items()
    },
}


def known(
    quantity: Any, weeks: int = 26, stocking: Any = "none", **arrivals: Any
) -> servsim.Scenario:
    products = [{"sku": sku, "unit_cost": 10, "price": 15} for sku in MIX]
    return stage_scenario(
        horizon=weeks * 168,
        warmup=0 if stocking == "none" else 168,
        replications=1 if stocking == "none" else 10,
        products=products,
        demand={
            "arrivals": {
                "process": "poisson",
                "rate": RATE,
                "profile": {"hour_of_day": HOURS.tolist(), "day_of_week": DAYS.tolist()},
                **arrivals,
            },
            "mix": MIX,
            "quantity": quantity,
        },
        stocking=stocking,
    )


def export(results: servsim.Results, path: Path) -> Path:
    """Replication 0's order lines as a history (time 0 is Monday 1 January 2024)."""
    lines = results.lines
    lines = lines[lines["replication"] == 0]
    orders = results.orders
    placed = orders[orders["replication"] == 0].set_index("order")["placed"]
    frame = pd.DataFrame(
        {
            "placed": (
                pd.Timestamp("2024-01-01")
                + pd.to_timedelta(placed.loc[lines["order"]].to_numpy(), "h")
            ).strftime("%Y-%m-%d %H:%M:%S.%f"),
            "order": lines["order"].to_numpy(),
            "sku": lines["sku"].to_numpy(),
            "quantity": lines["quantity"].to_numpy(),
        }
    )
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def recovered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, servsim.Results]:
    truth = {"dist": "negative_binomial", "mean": 2, "sd": 2, "min": 1}
    results = servsim.simulate(known(truth))
    path = export(results, tmp_path_factory.mktemp("fit") / "orders.csv")
    return fit_history(path), results


def test_the_rate_and_profile_are_recovered(recovered: tuple[Any, servsim.Results]) -> None:
    fit, results = recovered
    orders = len(results.orders)
    assert abs(fit.rate - RATE) < 4 * RATE / np.sqrt(orders)
    by_hour = np.asarray(fit.observed_hours)
    fitted, truth = np.asarray(fit.hour_of_day), HOURS
    open_hours = truth > 0
    error = truth[open_hours] / np.sqrt(by_hour[open_hours])
    assert np.all(np.abs(fitted[open_hours] - truth[open_hours]) < 4.5 * error)
    assert np.all(fitted[~open_hours] == 0)
    days = np.asarray(fit.observed_days)
    assert np.all(np.abs(np.asarray(fit.day_of_week) - DAYS) < 4.5 * DAYS / np.sqrt(days))
    assert fit.trend == 0  # no trend in the truth: the weekly slope is not significant
    assert fit.arrival_test[1] > 0.001  # Poisson orders pass the per-hour chi-square


def test_the_mix_and_the_quantity_law_are_recovered(
    recovered: tuple[Any, servsim.Results],
) -> None:
    fit, _ = recovered
    lines = fit.trace.line_sku.size
    for sku, share in MIX.items():
        assert abs(fit.mix[sku] - share) < 4 * np.sqrt(share * (1 - share) / lines)
    assert sum(fit.mix.values()) == pytest.approx(1, abs=1e-9)
    best = fit.quantity.best
    assert best.name == "negative_binomial", [c.name for c in fit.quantity.candidates]
    spec = best.spec
    assert abs(spec["mean"] - 2) < 0.15 and abs(spec["sd"] - 2) < 0.15
    assert best.p_value > 0.001
    names = {candidate.name for candidate in fit.quantity.candidates}
    assert names == {"poisson", "negative_binomial", "geometric", "empirical"}


def test_a_poisson_quantity_is_told_from_a_negative_binomial(tmp_path: Path) -> None:
    results = servsim.simulate(known({"dist": "poisson", "mean": 1.5, "min": 1}, weeks=8))
    fit = fit_history(export(results, tmp_path / "orders.csv"))
    assert fit.quantity.best.name == "poisson"
    assert abs(fit.quantity.best.spec["mean"] - 1.5) < 0.1


def test_the_fitted_scenario_gives_the_originals_kpis(tmp_path: Path) -> None:
    quantity = {"dist": "negative_binomial", "mean": 2, "sd": 2, "min": 1}
    original = known(quantity, weeks=12, stocking=STOCKING)
    results = servsim.simulate(original)
    path = export(results, tmp_path / "orders.csv")
    out = tmp_path / "fitted.yaml"
    outcome = CliRunner().invoke(main, ["fit", str(path), "--out", str(out)])
    assert outcome.exit_code == 0, outcome.output
    document = yaml.safe_load(out.read_text())
    document.update(
        horizon=12 * 168,
        warmup=168,
        replications=10,
        seed=99,
        stocking=STOCKING,
        products=[{"sku": sku, "unit_cost": 10, "price": 15} for sku in MIX],
    )
    fitted = servsim.simulate(servsim.load_scenario(document)).summary(0.99)
    truth = results.summary(0.99)
    for kpi in ("unit_fill_rate", "avg_backorders"):
        assert fitted.loc[kpi, "lo"] <= truth.loc[kpi, "hi"], kpi
        assert truth.loc[kpi, "lo"] <= fitted.loc[kpi, "hi"], kpi


def test_the_command_writes_a_valid_scenario_and_an_offline_report(tmp_path: Path) -> None:
    history = Path(__file__).resolve().parent.parent / "scenarios" / "data" / "webshop_orders.csv"
    rng = np.random.default_rng(3)
    ordered = pd.Timestamp("2025-01-06") + pd.to_timedelta(rng.uniform(0, 2000, 200), "h")
    lead = rng.gamma(16, 3, 200)  # mean 48 h, sd 12 h
    receipts = pd.DataFrame(
        {
            "sku": np.where(np.arange(200) % 2 == 0, "A", "B"),
            "ordered": ordered.strftime("%Y-%m-%d %H:%M:%S"),
            "received": (ordered + pd.to_timedelta(lead, "h")).strftime("%Y-%m-%d %H:%M:%S"),
        }
    )
    receipts.to_csv(tmp_path / "receipts.csv", index=False)
    out = tmp_path / "fitted.yaml"
    arguments = [
        "fit",
        str(history),
        "--out",
        str(out),
        "--column",
        "placed=created_at",
        "--column",
        "order=order_id",
        "--timezone",
        "Europe/Amsterdam",
        "--receipts",
        str(tmp_path / "receipts.csv"),
    ]
    outcome = CliRunner().invoke(main, arguments)
    assert outcome.exit_code == 0, outcome.output
    assert "quantity: poisson (lowest AIC)" in outcome.output
    assert "lead time of A:" in outcome.output
    scenario = servsim.load_scenario(out)
    item = scenario.stocking.items["A"]  # type: ignore[union-attr]
    assert item.lead_time.dist in ("gamma", "lognormal")
    assert abs(item.lead_time.mean - 48) < 4 * 12 / np.sqrt(100)
    page = (tmp_path / "fitted.html").read_text()
    assert "Plotly" in page and 'src="http' not in page
    assert page.count('class="chart"') == 5  # hours, weekdays, quantity, two lead times
    again = CliRunner().invoke(main, arguments)
    assert again.exit_code == 2 and "already exists" in again.output


def test_bad_history_rows_are_reported_by_fit_too(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(BAD_HISTORY.replace("created_at", "placed").replace("order_id", "order"))
    outcome = CliRunner().invoke(main, ["fit", str(path), "--out", str(tmp_path / "s.yaml")])
    assert outcome.exit_code == 2
    assert "Traceback" not in outcome.output
    assert f"{path}:3: placed: '2025-13-06 09:00:00' is not a timestamp" in outcome.output
    assert f"{path}:5: quantity: '-3' is not a whole number" in outcome.output


def test_the_demand_notebook_runs(tmp_path: Path) -> None:
    """examples/demand_history.ipynb fits the example history, replays it and compares two
    policies, from top to bottom without an error."""
    import nbformat
    from nbclient import NotebookClient

    examples = Path(__file__).resolve().parent.parent / "examples"
    notebook = nbformat.read(examples / "demand_history.ipynb", as_version=4)
    NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(examples)}},
    ).execute()
    text = "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    assert "3,701 orders over 91 days" in text and "S = 120: unit fill rate" in text


def test_a_trend_and_the_months_are_recovered(tmp_path: Path) -> None:
    """Two years at 2 orders an hour at the start, growing 30% a year, with a season: the
    fitted trend, rate and month multipliers lie within 4 standard errors of the truth (the
    errors from the orders each month holds)."""
    months = [0.6, 0.7, 0.8, 1.0, 1.2, 1.4, 1.5, 1.4, 1.2, 1.0, 0.7, 0.5]
    months = (np.asarray(months) * 12 / sum(months)).tolist()
    scenario = stage_scenario(
        horizon=2 * 365 * 24,
        warmup=0,
        replications=1,
        demand={
            "arrivals": {
                "process": "poisson",
                "rate": 2.0,
                "profile": {"month_of_year": months, "trend": 0.3},
            },
            "mix": {"A": 1.0},
        },
    )
    fit = fit_history(export(servsim.simulate(scenario), tmp_path / "orders.csv"))
    orders = fit.trace.times.size
    assert fit.trend_p < 0.001
    assert abs(fit.trend - 0.3) < 0.06  # 4 x its standard error here (0.015: seeds 1-3 give
    # 0.295, 0.301, 0.279), the season and the growth fitted in turn
    assert fit.month_of_year is not None
    per_month = orders / 24
    error = np.asarray(months) / np.sqrt(per_month * np.asarray(months))
    assert np.all(np.abs(np.asarray(fit.month_of_year) - months) < 4 * error + 0.01)
    assert abs(fit.rate - 2.0) < 4 * 2.0 / np.sqrt(orders) + 0.05
    written = servsim.load_scenario(fit.scenario("fitted"))
    assert written.demand.segments["all"].arrivals.profile.trend == fit.trend  # type: ignore[union-attr]


def test_the_column_names_of_the_command_line_are_the_historys() -> None:
    from servsim.cli.fit_command import COLUMNS as SAID
    from servsim.scenario.history import COLUMNS

    assert SAID == COLUMNS


def test_overdispersed_days_are_fitted_as_a_negative_binomial(tmp_path: Path) -> None:
    """Days whose rate is the mean times a gamma factor of cv 0.3: the dispersion test rejects
    Poisson days, the scenario gets process: negative_binomial with a daily_cv within four
    standard errors of 0.3, and the command says so."""
    truth = known(1, weeks=52, process="negative_binomial", daily_cv=0.3)
    path = export(servsim.simulate(truth), tmp_path / "orders.csv")
    fit = fit_history(path)
    assert fit.daily_test[1] < 0.001
    assert abs(fit.daily_cv - 0.3) < 4 * fit.daily_cv_se, (fit.daily_cv, fit.daily_cv_se)
    assert fit.daily_cv_se < 0.1
    arrivals = fit.scenario("nb")["demand"]["arrivals"]
    assert arrivals["process"] == "negative_binomial" and arrivals["daily_cv"] == fit.daily_cv
    result = CliRunner().invoke(main, ["fit", str(path), "--out", str(tmp_path / "nb.yaml")])
    assert result.exit_code == 0, result.output
    assert "overdispersed, so process: negative_binomial, daily_cv" in result.output
    written = yaml.safe_load((tmp_path / "nb.yaml").read_text())
    assert written["demand"]["arrivals"]["process"] == "negative_binomial"
    servsim.load_scenario(tmp_path / "nb.yaml")  # a valid scenario


def test_poisson_days_stay_poisson(recovered: tuple[Any, servsim.Results]) -> None:
    fit, _ = recovered
    assert fit.daily_test[1] > 0.05 and fit.daily_cv == 0
    assert fit.scenario("poisson")["demand"]["arrivals"]["process"] == "poisson"


def test_a_segment_column_gives_each_segment_its_own_fit(tmp_path: Path) -> None:
    """Two segments of known rates and mixes, exported with a segment column: the fit writes
    two segments, each rate within four standard errors (sqrt(n) / span) of its truth and
    each mix within four binomial standard errors of its shares."""
    profile = {"hour_of_day": HOURS.tolist(), "day_of_week": DAYS.tolist()}
    truth = {
        "shop": {"rate": 2.0, "mix": {"A": 0.8, "B": 0.2}},
        "trade": {"rate": 0.5, "mix": {"A": 0.1, "B": 0.9}},
    }
    scenario = stage_scenario(
        horizon=26 * 168,
        warmup=0,
        replications=1,
        products=[{"sku": sku, "unit_cost": 10, "price": 15} for sku in ("A", "B")],
        demand={
            "segments": {
                name: {
                    "arrivals": {"process": "poisson", "rate": t["rate"], "profile": profile},
                    "mix": t["mix"],
                }
                for name, t in truth.items()
            }
        },
    )
    results = servsim.simulate(scenario)
    path = export(results, tmp_path / "orders.csv")
    frame = pd.read_csv(path)
    frame["segment"] = results.orders.set_index("order").loc[frame["order"], "segment"].to_numpy()
    frame.to_csv(path, index=False)
    fit = fit_history(path)
    assert set(fit.segments) == set(truth)
    for name, t in truth.items():
        part = fit.segments[name]
        span = part.trace.span
        assert abs(part.rate - t["rate"]) < 4 * np.sqrt(t["rate"] / span), (name, part.rate)
        lines = part.trace.line_sku.size
        for sku, share in t["mix"].items():
            assert abs(part.mix[sku] - share) < 4 * np.sqrt(share * (1 - share) / lines)
    written = fit.scenario("two")
    assert set(written["demand"]["segments"]) == set(truth)
    result = CliRunner().invoke(main, ["fit", str(path), "--out", str(tmp_path / "two.yaml")])
    assert result.exit_code == 0, result.output
    assert "segment shop:" in result.output and "segment trade:" in result.output
    loaded = servsim.load_scenario(tmp_path / "two.yaml")
    assert set(loaded.demand.segments) == set(truth)
