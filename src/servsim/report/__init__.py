"""Plotly figures of runs and sweeps, and the self-contained HTML decision-review report.

>>> from servsim import report
>>> report.exchange_curve(sweep)                      # cost against satisfaction
>>> report.kpi_by_parameter(sweep, "otif", "processing.staff")
>>> report.write_report(sweep, "review.html")         # one file, works offline
"""

from servsim.report.exchange import exchange_curve
from servsim.report.policy_figures import cost_breakdown, standards_table
from servsim.report.run_figures import cycle_time_ecdf, dissatisfaction_causes, levels_over_time
from servsim.report.sweep_figures import kpi_by_each_parameter, kpi_by_parameter, kpi_heatmap
from servsim.report.writer import report_html, write_report

__all__ = [
    "cost_breakdown",
    "cycle_time_ecdf",
    "dissatisfaction_causes",
    "exchange_curve",
    "kpi_by_each_parameter",
    "kpi_by_parameter",
    "kpi_heatmap",
    "levels_over_time",
    "report_html",
    "standards_table",
    "write_report",
]
