"""Data vintage and sources: the inputs a report was built from, read from the data folder.

Nothing is fetched: the summary comes from the data files and from the
``SOURCES.md`` file next to them, when there is one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from riskengine.data.dataset import Dataset

__all__ = ["SOURCES_FILE", "SourceNotes", "input_tables", "read_source_notes"]

#: Name of the sources file looked for in the data folder (and copied into the report).
SOURCES_FILE = "SOURCES.md"

_SOURCE_KEY = re.compile(r"^- \*\*(S\d+[a-z]?)\*\*", re.MULTILINE)
_MARKUP = re.compile(r"\*\*|`")


@dataclass(frozen=True)
class SourceNotes:
    """What ``SOURCES.md`` says about the data.

    Attributes
    ----------
    path : Path or None
        The file, or None when the data folder has none.
    vintage : DataFrame
        ``item, vintage``: the rows of its "Data vintage" table (empty if absent).
    source_keys : int
        Number of entries in its source key (``- **S1** ...`` lines).
    """

    path: Path | None
    vintage: pd.DataFrame
    source_keys: int


def _section(text: str, title: str) -> str:
    """The body of the ``## title`` section of a markdown text ('' if absent)."""
    match = re.search(rf"^## {re.escape(title)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    return match.group(1) if match else ""


def _table_rows(body: str) -> list[list[str]]:
    """Cells of the rows of the first markdown table in ``body``, header and rule dropped."""
    rows = [
        line.strip().strip("|").split("|")
        for line in body.splitlines()
        if line.strip().startswith("|")
    ]
    cells = [[_MARKUP.sub("", c).strip() for c in row] for row in rows]
    return [row for row in cells[2:] if len(row) >= 2]


def read_source_notes(dataset: Dataset) -> SourceNotes:
    """Read ``SOURCES.md`` from the dataset's folder, when the data came from a folder with one."""
    folder = Path(dataset.source)
    path = folder / SOURCES_FILE if folder.is_dir() else None
    empty = pd.DataFrame(columns=["item", "vintage"])
    if path is None or not path.is_file():
        return SourceNotes(None, empty, 0)
    text = path.read_text(encoding="utf-8", errors="replace")
    rows = [row[:2] for row in _table_rows(_section(text, "Data vintage"))]
    vintage = pd.DataFrame(rows, columns=["item", "vintage"]) if rows else empty
    return SourceNotes(path, vintage, len(set(_SOURCE_KEY.findall(text))))


def input_tables(dataset: Dataset) -> pd.DataFrame:
    """One row per input table: ``table, file, rows, columns``, in the contract's order."""
    names = ("commodities", "countries", "production", "export_controls", "suppliers", "demand")
    from riskengine.data.dataset import shipped_data_dir

    seeds = shipped_data_dir().resolve()
    mixed = Path(dataset.source).resolve() != seeds  # some tables may come from seeds/

    def label(path: Path) -> str:
        return f"seeds/{path.name}" if mixed and path.resolve().parent == seeds else path.name

    files = {
        Path(f).stem.lower(): label(Path(f)) for f in dataset.files if Path(f).suffix == ".csv"
    }
    book = [Path(f).name for f in dataset.files if Path(f).suffix.lower() in (".xlsx", ".xlsm")]
    rows = []
    for name in names:
        table = dataset.table(name)
        file = files.get(name, f"{book[0]}[{name}]" if book else "")
        rows.append((name, file, len(table), ", ".join(map(str, table.columns))))
    return pd.DataFrame(rows, columns=["table", "file", "rows", "columns"])
