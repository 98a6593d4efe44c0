"""Write examples/demand_history.ipynb: fit the example order history, replay it, compare two
stock policies on it (cells only; the test runs it, nbclient, from examples/).

    python scripts/make_demand_notebook.py
"""

from __future__ import annotations

from pathlib import Path

import nbformat

OUT = Path(__file__).resolve().parent.parent / "examples" / "demand_history.ipynb"

CELLS = [
    (
        "markdown",
        "# Demand from the planner's own data\n\n"
        "Thirteen weeks of a small web shop's order lines (`scenarios/data/webshop_orders.csv`,"
        " synthetic, written by `scripts/make_order_history.py`): fit a demand model to them,"
        " replay them exactly, and compare two stock policies on the replayed quarter.",
    ),
    (
        "code",
        "from pathlib import Path\n\n"
        "import servsim\n"
        "from servsim.run.fit import fit_history\n\n"
        "HISTORY = Path('../scenarios/data/webshop_orders.csv')\n"
        "fit = fit_history(HISTORY, {'placed': 'created_at', 'order': 'order_id'}, "
        "'Europe/Amsterdam')\n"
        "print(f'{fit.trace.times.size:,} orders over {fit.trace.covers()}')\n"
        "print(f'rate {fit.rate:.3f} an hour; mix {fit.mix}')\n"
        "for candidate in fit.quantity.candidates:\n"
        "    print(f'{candidate.name:18} AIC {candidate.aic:10.1f}  p = {candidate.p_value:.3g}')",
    ),
    (
        "markdown",
        "## Replay the quarter\n\nReplication 0 is the history as it happened; "
        "replications 1-4 draw each week from the quarter's thirteen (a block bootstrap).",
    ),
    (
        "code",
        "replayed = servsim.load_scenario('../scenarios/webshop_history.yaml').with_overrides(\n"
        "    {'replications': 5}\n"
        ")\n"
        "results = servsim.simulate(replayed)\n"
        "results.summary().loc[['otif', 'unit_fill_rate', 'avg_on_hand'], ['mean', 'lo', 'hi']]",
    ),
    (
        "markdown",
        "## Two policies on the same orders\n\nEvery policy sees the same replayed "
        "orders in each replication (common random numbers), so the difference is the policy's.",
    ),
    (
        "code",
        "leaner = replayed.with_overrides({'stocking.items.A.S': 120})\n"
        "lean = servsim.simulate(leaner)\n"
        "for name, run in (('S = 160', results), ('S = 120', lean)):\n"
        "    row = run.summary().loc['unit_fill_rate']\n"
        "    interval = f\"{row['lo']:.2%} .. {row['hi']:.2%}\"\n"
        "    on_hand = run.summary().loc['avg_on_hand', 'mean']\n"
        "    print(f\"{name}: unit fill rate {row['mean']:.2%} ({interval}), on hand "
        '{on_hand:.0f}")',
    ),
    (
        "markdown",
        "## The fitted model against the replay\n\nThe fitted scenario's demand with "
        "the replay's stock, staff and delivery: its fill rate should be close to the replay's.",
    ),
    (
        "code",
        "document = fit.scenario('fitted')\n"
        "source = replayed.model_dump(mode='json', by_alias=True, exclude_none=True)\n"
        "for key in ('products', 'stocking', 'processing', 'delivery', 'costs', 'warmup'):\n"
        "    document[key] = source[key]\n"
        "document['replications'] = 5\n"
        "fitted = servsim.simulate(servsim.load_scenario(document))\n"
        "for name, run in (('replayed', results), ('fitted', fitted)):\n"
        "    print(f\"{name:9} unit fill rate {run.summary().loc['unit_fill_rate', 'mean']:.2%}\")",
    ),
]


def main() -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell(text)
        if kind == "markdown"
        else nbformat.v4.new_code_cell(text)
        for kind, text in CELLS
    ]
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(notebook, OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
