"""How the commands speak and end: the console they print on, a problem said in one line on
stderr (exit 2), and what Ctrl-C leaves behind (one line, exit 130). Every command module
imports these, and the click group in ``app`` too, so they live apart from both."""

from __future__ import annotations

import sys
from typing import NoReturn

import click
from rich.console import Console

BAD_INPUT = 2
"""Exit code for anything wrong with what the user gave us."""

INTERRUPTED = 130
"""Exit code after Ctrl-C (128 + SIGINT), as shells report it."""

NO_ANSWER = 1
"""Exit code when no point meets the standards (the closest one is shown)."""

console = Console()

STOPPED = "servsim.stopped"
"""Key of the context's meta: what a command says when Ctrl-C stops it."""


def fail(message: str) -> NoReturn:
    """One plain line per problem on stderr (never wrapped: tools grep file:line), exit 2."""
    click.echo(message, err=True)
    sys.exit(BAD_INPUT)


def interrupted(message: str = "Stopped (Ctrl-C).") -> NoReturn:
    """One line on stderr, exit 130: what Ctrl-C leaves behind, never a traceback."""
    click.echo(message, err=True)
    sys.exit(INTERRUPTED)


def when_stopped(message: str) -> None:
    """Say ``message`` (what is kept) if Ctrl-C stops the running command."""
    click.get_current_context().meta[STOPPED] = message
