"""The command line: parses arguments, calls the library, prints tables. Nothing else lives here."""

try:
    from servsim.cli.app import main
except KeyboardInterrupt:  # Ctrl-C while Python starts the command: one line, not a traceback
    import sys

    sys.stderr.write("Stopped (Ctrl-C).\n")
    raise SystemExit(130) from None

__all__ = ["main"]
