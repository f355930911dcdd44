"""The building blocks of the table schemas: :class:`Column` and :class:`TableSpec`.

Kept apart from :mod:`riskengine.data.schema` so that the version-2 tables
(:mod:`riskengine.data.schema_plan`) can use them without an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["RANGE_SUFFIXES", "Column", "Kind", "TableSpec"]

#: Suffixes of the optional range columns of any numeric column: ``<column>_low`` and
#: ``<column>_high`` hold the low and high ends of an estimate whose central value is
#: ``<column>``. They are parsed with the column's bounds and must bracket it.
RANGE_SUFFIXES: tuple[str, str] = ("_low", "_high")

Kind = Literal["text", "number", "integer", "date", "bool", "country", "commodity", "choice"]


@dataclass(frozen=True)
class Column:
    """One column of an input table.

    Attributes
    ----------
    name : str
        Header as written in the CSV file.
    kind : Kind
        How cells are parsed and checked.
    unit : str
        Unit of the values ("" for none).
    meaning : str
        One-line description for the data dictionary.
    required : bool
        The column must be present and every cell non-empty.
    low, high : float or None
        Inclusive bounds for numbers.
    choices : tuple of str
        Valid spellings for ``kind="choice"``.
    """

    name: str
    kind: Kind
    unit: str
    meaning: str
    required: bool = True
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    positive: bool = False


@dataclass(frozen=True)
class TableSpec:
    """An input table: file stem, columns, unique key, and whether a data folder may omit it."""

    name: str
    meaning: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    optional: bool = False

    @property
    def file(self) -> str:
        """File name inside a data folder."""
        return f"{self.name}.csv"

    def column(self, name: str) -> Column | None:
        """The column called ``name``, or None."""
        return next((c for c in self.columns if c.name == name), None)
