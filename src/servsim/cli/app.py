"""The command line: parses arguments, calls the library, prints. Nothing else lives here.

This module is the click group, ``servsim``, with its commands gathered from their own
modules (``validate_command``, ``run_command``, ``report_command``, ``experiment_commands``
for sweep and optimize, ``fit_command``). Only click, rich and ``servsim.core`` are imported
with it, so ``servsim --help`` starts at once; each command imports what it needs (the
scenario layer, pandas, the simulation, plotly, Dask) when it runs. Those imports inside the
commands are for start-up time only, never to dodge an import cycle.
"""

from __future__ import annotations

from typing import Any

import click

from servsim.cli.experiment_commands import optimize_command, sweep_command
from servsim.cli.fit_command import fit_command
from servsim.cli.output import STOPPED, interrupted
from servsim.cli.report_command import report_command
from servsim.cli.run_command import run
from servsim.cli.validate_command import validate
from servsim.core.version import __version__


class ServsimGroup(click.Group):
    """The commands, with Ctrl-C as one line and exit 130 (click's own answer is ``Aborted!``
    and exit 1, after a traceback if the key came during an import)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            interrupted(ctx.meta.get(STOPPED, "Stopped (Ctrl-C)."))


@click.group(cls=ServsimGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="servsim")
def main() -> None:
    """servsim: simulate customer-service policies and weigh cost against satisfaction.

    \b
    Typical use:
      servsim validate scenarios/webshop.yaml
      servsim run scenarios/webshop.yaml --replications 10 --out results/webshop
      servsim sweep experiments/webshop_staff_and_stock.yaml --workers 2
      servsim report results/webshop-staff-and-stock
    """


main.add_command(fit_command)
main.add_command(validate)
main.add_command(run)
main.add_command(report_command)
main.add_command(sweep_command)
main.add_command(optimize_command)
