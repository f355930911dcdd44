"""The validated input tables as one immutable :class:`Dataset`, and how to load it."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import pandas as pd

from riskengine._csv import csv_text
from riskengine.config.arguments import check_path
from riskengine.data.demand import parse_demand
from riskengine.data.history import parse_disruptions
from riskengine.data.partial import read_tables
from riskengine.data.plan_checks import plan_problems
from riskengine.data.readers import RawTable
from riskengine.data.schema import TABLES, TableSpec
from riskengine.data.validate import check_lookalikes, check_references, parse_table
from riskengine.exceptions import ArgumentError, DataError, InputIssue

__all__ = ["Dataset", "load_dataset", "shipped_data_dir", "write_dataset"]

#: The six tables every dataset has, then the optional ones it may have.
_NAMES = tuple(t.name for t in TABLES if not t.optional)
_OPTIONAL = tuple(t.name for t in TABLES if t.optional)
#: Tables with checks across columns beyond the schema's.
_PARSERS: dict[str, Callable[[RawTable], tuple[pd.DataFrame | None, list[InputIssue]]]] = {
    "disruptions": parse_disruptions,
    "demand": partial(parse_demand, name="demand"),
    "demand_outlook": partial(parse_demand, name="demand_outlook"),
}
#: Tables whose commodity may be empty (product rows).
_PRODUCT_ROWS = ("demand", "demand_outlook")


def table_parser(
    spec: TableSpec,
) -> Callable[[RawTable], tuple[pd.DataFrame | None, list[InputIssue]]]:
    """The function that parses and checks one raw table (a special one for disruptions)."""
    return _PARSERS.get(spec.name, partial(parse_table, spec))


class _NoTable(ArgumentError, KeyError):
    """A table name a dataset does not have."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Dataset:
    """The six input tables, and the optional ones, validated and typed.

    Quantities are tonnes of oxide equivalent a year; prices USD per kg of
    oxide equivalent. Extra columns of the input files are kept.

    Attributes
    ----------
    commodities, countries, production, export_controls, suppliers, demand : DataFrame
        The tables of ``contract.md`` section 2.
    disruptions : DataFrame or None
        Optional history of supply disruptions (``disruptions.csv``); None when
        the data has none (the disruption-probability calibration then uses the
        shipped table).
    sourcing : DataFrame or None
        Optional actual sourcing of each buyer by commodity, stage and origin
        country (``sourcing.csv``), read by the JRC supply risk; None when absent.
    bom, demand_outlook, contracts, stocks, export_flows : DataFrame or None
        Optional version-2 tables (contract section 2): element content of
        products and their thrifting variants; demand by year for the planning
        horizon; offtakes bound to a buyer; strategic stocks; an exporter's flows
        by destination. None when absent; the version-1 model does not read them.
    source : str
        Where the tables were read from ("generated" for synthetic data).
    files : tuple of Path
        The files read (for the report manifest's hashes).
    notes : tuple of str
        One line each about how the tables were read, e.g. which tables came
        from the shipped reference tables because the folder or workbook lacks them.
    """

    commodities: pd.DataFrame
    countries: pd.DataFrame
    production: pd.DataFrame
    export_controls: pd.DataFrame
    suppliers: pd.DataFrame
    demand: pd.DataFrame
    disruptions: pd.DataFrame | None = None
    sourcing: pd.DataFrame | None = None
    bom: pd.DataFrame | None = None
    demand_outlook: pd.DataFrame | None = None
    contracts: pd.DataFrame | None = None
    stocks: pd.DataFrame | None = None
    export_flows: pd.DataFrame | None = None
    source: str = "memory"
    files: tuple[Path, ...] = field(default=(), repr=False)
    lines: dict[str, tuple[int, ...]] = field(default_factory=dict, repr=False, compare=False)
    notes: tuple[str, ...] = field(default=(), repr=False, compare=False)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}={len(self.table(name))}" for name in self.table_names)
        return f"Dataset(source={self.source!r}, {sizes})"

    @property
    def table_names(self) -> tuple[str, ...]:
        """The six required table names, then the optional tables this dataset has."""
        return _NAMES + tuple(n for n in _OPTIONAL if getattr(self, n) is not None)

    def table(self, name: str) -> pd.DataFrame:
        """The table called ``name`` (a file stem: the six, or an optional table present).

        Raises
        ------
        ArgumentError
            (also a KeyError) for an unknown name or an optional table this dataset lacks.
        """
        if name in _OPTIONAL and getattr(self, name) is None:
            raise _NoTable(f"this dataset has no {name} table (it is optional)")
        if name not in _NAMES + _OPTIONAL:
            raise _NoTable(f"no table {name!r}; tables are {', '.join(_NAMES + _OPTIONAL)}")
        return getattr(self, name)

    def with_tables(self, **tables: pd.DataFrame) -> Dataset:
        """A copy with some tables replaced (not re-validated; line numbers dropped)."""
        lines = {k: v for k, v in self.lines.items() if k not in tables}
        return replace(self, **tables, lines=lines)

    def where(self, table: str, row: int) -> tuple[str, int | None]:
        """File and editor line of row ``row`` (positional) of ``table``, for messages."""
        lines = self.lines.get(table)
        line = lines[row] if lines is not None and row < len(lines) else None
        name = f"{table}.csv"
        read = [f for f in self.files if f.suffix == ".csv" and f.stem.lower() == table]
        if read:  # a CSV file of the folder, or a shipped table filling a gap
            return str(read[0]), line
        if self.source not in ("memory",) and not self.source.startswith("generated"):
            name = (
                str(Path(self.source) / name)
                if Path(self.source).is_dir()
                else (f"{Path(self.source).name}[{table}]")
            )
        return name, line

    def origin(self, table: str, row: int) -> tuple[str, int, str]:
        """(source, line, "line") in the file the table was read from, while it still matches;
        else (``"<table> table"``, row position, "row") for a table given or changed in memory."""
        lines = self.lines.get(table)
        if lines is None or len(lines) != len(self.table(table)) or self.source == "memory":
            return f"{table} table", row, "row"
        return self.where(table, row)[0], lines[row], "line"

    @property
    def vintage(self) -> str:
        """Data years of production figures, e.g. '2023-2024'."""
        years = self.production["year"].dropna().astype(int)
        if years.empty:
            return "unknown"
        low, high = years.min(), years.max()
        return str(low) if low == high else f"{low}-{high}"

    def capacity_by_commodity(self) -> pd.DataFrame:
        """Offers and capacity per commodity, with the share outside China (t/yr)."""
        s = self.suppliers
        ex_china = s["capacity_t"].where(s["country"] != "CN", 0.0)
        frame = (
            pd.DataFrame(
                {
                    "commodity": s["commodity"],
                    "offers": 1,
                    "capacity_t": s["capacity_t"],
                    "ex_china_t": ex_china,
                }
            )
            .groupby("commodity", sort=True)
            .sum()
        )
        frame["ex_china_share"] = frame["ex_china_t"] / frame["capacity_t"].where(
            frame["capacity_t"] > 0
        )
        demand = self.demand.groupby("commodity")["demand_t"].sum()
        frame["demand_t"] = demand.reindex(frame.index).fillna(0.0)
        return frame.reset_index()

    def summary(self) -> str:
        """A readable summary: rows per table, capacity per commodity, data vintage."""
        lines = [f"Dataset from {self.source}", ""]
        lines += [f"  {name:<16} {len(self.table(name)):>7} rows" for name in self.table_names]
        cap = self.capacity_by_commodity()
        lines += ["", "  commodity     offers  capacity t/yr  ex-China share  demand t/yr"]
        for row in cap.itertuples(index=False):
            share = "n/a" if pd.isna(row.ex_china_share) else f"{row.ex_china_share:.0%}"
            lines.append(
                f"  {row.commodity:<12} {row.offers:>7} {row.capacity_t:>14,.1f}"
                f" {share:>15} {row.demand_t:>12,.1f}"
            )
        lines += ["", f"  production data year(s): {self.vintage}"]
        return "\n".join(lines)


def shipped_data_dir() -> Path:
    """Folder of the shipped seed tables (``seeds/`` in a checkout, or the installed copy)."""
    from riskengine._resources import shipped

    return shipped("seeds")


def cross_checks(
    tables: dict[str, pd.DataFrame], raws: dict[str, RawTable], *, contract_capacity: bool = True
) -> list[InputIssue]:
    """Problems between tables: references, lookalike ids, and the version-2 plan checks."""
    problems: list[InputIssue] = []
    countries = tables.get("countries")
    commodities = tables.get("commodities")
    codes = set(countries["country"]) if countries is not None else None
    blocs = set(countries["bloc"].astype(str)) - {""} if countries is not None else set()
    known = set(commodities["commodity"]) if commodities is not None else None
    for spec in TABLES:
        frame, raw = tables.get(spec.name), raws.get(spec.name)
        if frame is None or raw is None:
            continue
        for col in spec.columns:
            if col.kind == "country" and codes is not None:
                problems += check_references(
                    frame,
                    raw,
                    col.name,
                    codes,
                    "country",
                    "add it to countries.csv or use one of its codes",
                    allow_empty=not col.required,
                )
            if col.kind == "commodity" and known is not None:
                problems += check_references(
                    frame,
                    raw,
                    col.name,
                    known,
                    "commodity",
                    "add it to commodities.csv or use one of its ids",
                    allow_empty=spec.name in _PRODUCT_ROWS,
                )
        for name in spec.key:
            key_col = spec.column(name)
            if key_col is not None and key_col.kind == "text":
                problems += check_lookalikes(frame, raw, name)
        if spec.name == "export_controls" and codes is not None:
            problems += check_references(
                frame,
                raw,
                "destination",
                codes | blocs,
                "destination",
                "use a country code or bloc from countries.csv, or leave empty for all",
                allow_empty=True,
            )
    return problems + plan_problems(tables, raws, contract_capacity=contract_capacity)


def load_dataset(path: str | os.PathLike[str] | None = None) -> Dataset:
    """Load and validate the six tables from a CSV folder or an xlsx workbook.

    Parameters
    ----------
    path : path-like, optional
        A folder holding ``commodities.csv`` ... ``demand.csv``, or an ``.xlsx``
        workbook with one sheet per table (sheet names = file stems, in any
        case). Defaults to the shipped ``seeds/``. A folder or workbook may
        hold only some of the six tables: the others are read from the shipped
        tables, and ``Dataset.notes`` says which.

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        Listing every problem found (file, line, column, value, what is valid).

    Examples
    --------
    >>> import riskengine
    >>> data = riskengine.load_dataset()
    >>> sorted(data.commodities["commodity"])[:3]
    ['dysprosium', 'gadolinium', 'lutetium']
    """
    check_path("load_dataset", "path (a folder of CSV files or an .xlsx workbook)", path)
    folder = Path(path) if path is not None else shipped_data_dir()
    raws, problems, files, notes = read_tables(folder, shipped_data_dir())
    tables: dict[str, pd.DataFrame] = {}
    for spec in TABLES:
        if spec.name in raws:
            frame, found = table_parser(spec)(raws[spec.name])
            problems += found
            if frame is not None:
                tables[spec.name] = frame
    problems += cross_checks(tables, raws)
    if problems or any(name not in tables for name in _NAMES):
        raise DataError(problems)
    lines = {name: raw.lines for name, raw in raws.items()}
    from riskengine.data.checked import remember  # it imports this module

    return remember(Dataset(**tables, source=str(folder), files=files, lines=lines, notes=notes))


def _table_spec(name: str) -> TableSpec:
    return next(t for t in TABLES if t.name == name)


def write_dataset(dataset: Dataset, folder: str | os.PathLike[str]) -> Path:
    """Write the tables (the six, and the optional ones present) as CSV into ``folder``.

    Dates are written YYYY-MM-DD and booleans true/false, so the folder loads back
    with :func:`load_dataset` to the same tables.
    """
    if not isinstance(dataset, Dataset):
        raise ArgumentError(
            f"write_dataset: dataset should be a Dataset, got {type(dataset).__name__}"
        )
    check_path("write_dataset", "folder", folder, optional=False)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for name in dataset.table_names:
        frame = dataset.table(name).copy()
        for col in _table_spec(name).columns:
            if col.name not in frame.columns:
                continue
            if col.kind == "date":
                frame[col.name] = frame[col.name].dt.strftime("%Y-%m-%d").fillna("")
            elif col.kind == "bool":
                frame[col.name] = frame[col.name].map({True: "true", False: "false"})
        with (out / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            handle.write(csv_text(frame))
    return out
