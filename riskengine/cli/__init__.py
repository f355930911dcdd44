"""Command line: ``riskengine validate | score | optimise | stress | report | init``.

A thin layer over the Python API. Each command lives in its own module with
``run(args) -> int``; its arguments are declared in :mod:`riskengine.cli._parsers`,
so building the parser (and ``--help``) imports no command module, and a
command's module (with pandas, the solvers or matplotlib) loads only when it
runs. Exit codes: 0 success, 2 bad input (message on stderr, no traceback),
1 internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from riskengine._version import __version__
from riskengine.cli._parsers import PARSERS
from riskengine.cli._terminal import terminal
from riskengine.exceptions import RiskEngineError

__all__ = ["entry_point", "main"]

#: Command modules, in the order ``--help`` lists them.
COMMANDS: tuple[str, ...] = tuple(PARSERS)


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so usage errors exit 2 through one handler."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise RiskEngineError(f"{self.prog}: {message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, one sub-command per command; imports no command module."""
    parser = _Parser(
        prog="riskengine",
        description="Sourcing-risk scores and diversified EU/Japan sourcing mixes for the rare "
        "earths under Chinese export licensing. Run 'riskengine COMMAND --help' for a command.",
        epilog="Exit codes: 0 success, 2 bad input (configuration, data, arguments), "
        "1 internal error or a plan that is not optimal.",
    )
    parser.add_argument("--version", action="version", version=f"riskengine {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for add_command in PARSERS.values():
        add_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 2 bad input, 1 internal error).

    Output on the terminal has its control characters escaped and warnings on
    one line (:mod:`riskengine.cli._terminal`).
    """
    with terminal():
        return _run(argv)


def _run(argv: Sequence[str] | None) -> int:
    args = None
    try:
        args = build_parser().parse_args(argv)
        return int(args.run(args))
    except RiskEngineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader closed the pipe (e.g. `riskengine score | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        if getattr(args, "debug", False):
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "(run again with --debug for the traceback, and please report it)",
            file=sys.stderr,
        )
        return 1


def entry_point() -> None:
    """Console-script entry point."""
    raise SystemExit(main())
