"""The command line: parses arguments, calls the library, prints tables. Nothing else lives here."""

from servsim.cli.app import main

__all__ = ["main"]
