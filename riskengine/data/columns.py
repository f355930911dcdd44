"""The building blocks of the table schemas: :class:`Column` and :class:`TableSpec`.

Kept apart from :mod:`riskengine.data.schema` so that the version-2 tables
(:mod:`riskengine.data.schema_plan`) can use them without an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["DEFAULT_HIGH", "RANGE_SUFFIXES", "Column", "Kind", "TableSpec"]

#: Suffixes of the optional range columns of any numeric column: ``<column>_low`` and
#: ``<column>_high`` hold the low and high ends of an estimate whose central value is
#: ``<column>``. They are parsed with the column's bounds and must bracket it.
RANGE_SUFFIXES: tuple[str, str] = ("_low", "_high")

Kind = Literal["text", "number", "integer", "date", "bool", "country", "commodity", "choice"]

#: Upper bound of a number column whose schema sets none, by unit. Every number
#: in a table is finite and inside a documented range: quantities up to 10
#: million tonnes (world rare-earth output is about 400,000 t a year), prices
#: and values up to USD 1 million per kg, times up to a hundred years.
DEFAULT_HIGH: dict[str, float] = {
    "t/yr": 10_000_000.0,
    "t": 10_000_000.0,
    "USD/kg": 1_000_000.0,
    "USD/kg/yr": 1_000_000.0,
    "USD/t": 1_000_000_000.0,
    "days": 36_500.0,
}


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
        Inclusive bounds for numbers (every number must also be finite). A
        number column without ``high`` gets the bound of its unit from
        :data:`DEFAULT_HIGH`.
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

    def __post_init__(self) -> None:
        if self.kind == "number" and self.high is None and self.unit in DEFAULT_HIGH:
            object.__setattr__(self, "high", DEFAULT_HIGH[self.unit])


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
