"""The HTML page: one file with plotly.js inlined once, the figures, tables and settings.

Nothing in the page asks the network for anything (no CDN, no web fonts, no MathJax), so a
review board can open it offline; the browser test checks that.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime

import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from servsim.core.version import __version__

PLOT_CONFIG = {"displaylogo": False, "responsive": True}
"""Plotly's options for every figure: no links out of the page."""

CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif;
       color: #1d2733; margin: 0; background: #f5f7fa; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 64px; background: white; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { font-size: 1.3em; margin-top: 2em; border-bottom: 2px solid #e8edf3; padding-bottom: 4px; }
p.meta { color: #5a6877; margin-top: 0; }
.box { border: 1px solid #d5dde6; border-left: 6px solid #e66101; border-radius: 4px;
       padding: 8px 20px 16px; background: #fffaf5; }
div.table { overflow-x: auto; }
table.data { border-collapse: collapse; margin: 12px 0; font-size: 0.93em; }
table.data th, table.data td { border-bottom: 1px solid #e3e8ee; padding: 5px 12px;
       text-align: left; vertical-align: top; }
table.data th { background: #e8edf3; }
td.met { background: #c7e9c0; } td.missed { background: #fcbba1; }
td.unclear { background: #fee8a6; }
figure.chart { margin: 24px 0; border: 1px solid #e3e8ee; border-radius: 4px; padding: 4px; }
figcaption { color: #5a6877; font-size: 0.9em; padding: 4px 8px; }
pre { background: #f5f7fa; border: 1px solid #e3e8ee; padding: 10px; overflow-x: auto;
      font-size: 0.85em; }
"""


def escape(text: object) -> str:
    return html.escape(str(text))


def figure_html(figure: go.Figure, div_id: str, caption: str = "") -> str:
    """A figure as a ``<figure>`` holding its plot div (plotly.js comes once, in the head)."""
    plot = pio.to_html(
        figure,
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        div_id=div_id,
        config=PLOT_CONFIG,
        default_height=f"{figure.layout.height or 480}px",
    )
    note = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f'<figure class="chart" data-figure="{escape(div_id)}">{plot}{note}</figure>'


def table_html(
    header: Sequence[str], rows: Sequence[Sequence[object]], classes: Sequence[Sequence[str]] = ()
) -> str:
    """A plain table; ``classes`` gives each cell a CSS class (met, missed, unclear)."""
    head = "".join(f"<th>{escape(name)}</th>" for name in header)
    body = []
    for index, row in enumerate(rows):
        marks = classes[index] if index < len(classes) else [""] * len(row)
        cells = "".join(
            f'<td class="{escape(mark)}">{escape(value)}</td>'
            if mark
            else f"<td>{escape(value)}</td>"
            for value, mark in zip(row, marks, strict=False)
        )
        body.append(f"<tr>{cells}</tr>")
    return (  # a table wider than the page scrolls in its own box, never past the page
        f'<div class="table"><table class="data"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def section(title: str, *parts: str) -> str:
    return f"<section><h2>{escape(title)}</h2>{''.join(parts)}</section>"


def paragraph(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def preformatted(text: str) -> str:
    return f"<pre>{escape(text)}</pre>"


def page(title: str, subtitle: str, sections: Sequence[str]) -> str:
    """The whole report: plotly.js once in the head, then the sections."""
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{CSS}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script>'
        "</head><body><main>"
        f"<h1>{escape(title)}</h1>"
        f'<p class="meta">{escape(subtitle)}<br>written {made} by servsim {escape(__version__)}'
        "</p>"
        f"{''.join(sections)}"
        "</main></body></html>\n"
    )
