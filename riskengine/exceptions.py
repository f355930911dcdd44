"""Exceptions raised by riskengine.

Every error caused by the analyst's input (data, configuration, command-line
arguments) is a :class:`RiskEngineError`, a subclass of :class:`ValueError`;
an argument of the wrong type given to a public function raises
:class:`ArgumentError`, which is also a :class:`TypeError`. The message is the exact text the command line prints before exiting with
code 2: it names where the problem is, the value found, and what would be
valid.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ArgumentError",
    "ConfigError",
    "DataError",
    "InputIssue",
    "RiskEngineError",
    "SolverError",
]


class RiskEngineError(ValueError):
    """Base class for errors caused by the analyst's input (CLI exit code 2)."""


@dataclass(frozen=True)
class InputIssue:
    """One issue found in an input: where it is, what was found, what would be valid.

    Called ``Problem`` up to 0.1.0; that name still works but warns (it was
    easily confused with the optimiser's :class:`riskengine.optimise.problem.Problem`).

    Attributes
    ----------
    source : str
        File (or ``file[sheet]``) the problem is in.
    line : int or None
        Line as an editor shows it (the header is line 1), or the spreadsheet row.
    column : str or None
        Column (or configuration key) name.
    value : str or None
        The offending value as written, quoted in the message.
    message : str
        What is wrong and what would be valid.
    label : str
        What ``column`` names: "column" for tables, "key" for configuration.
    line_label : str
        What ``line`` counts: "line" in files, "row" in in-memory tables.
    """

    source: str
    line: int | None
    column: str | None
    value: str | None
    message: str
    label: str = "column"
    line_label: str = "line"

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f", {self.line_label} {self.line}"
        if self.column is not None:
            where += f", {self.label} {self.column}"
        value = "" if self.value is None else f"value {self.value!r}: "
        return f"{where}: {value}{self.message}"


class DataError(RiskEngineError):
    """The data tables are missing, malformed, or inconsistent.

    ``problems`` holds every problem found, not only the first.
    """

    def __init__(self, problems: Iterable[InputIssue] | str) -> None:
        if isinstance(problems, str):
            problems = [InputIssue("data", None, None, None, problems)]
        self.problems: Sequence[InputIssue] = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the data:"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


class ConfigError(RiskEngineError):
    """The configuration (YAML file or ``--set`` override) is invalid."""


class SolverError(RiskEngineError):
    """The requested solver is not available or failed to run."""


class ArgumentError(RiskEngineError, TypeError):
    """A public function was given an argument of the wrong type or an invalid value.

    Both a :class:`ValueError` (as every :class:`RiskEngineError`) and a
    :class:`TypeError`; the command line exits 2 on it.
    """


#: Old public names -> their new names; each still works with a DeprecationWarning.
_RENAMED = {"Problem": "InputIssue"}


def __getattr__(name: str) -> Any:
    """Resolve a renamed public name, warning that it is deprecated (PEP 562)."""
    new = _RENAMED.get(name)
    if new is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(
        f"riskengine.exceptions.{name} is deprecated; use {new}",
        DeprecationWarning,
        stacklevel=2,
    )
    return globals()[new]
