"""Plain-file writers: CSV tables, JSON documents, text files; all UTF-8 with LF line ends.

CSV files are data, written with fixed rounding
(:func:`~riskengine.formatting.round_value`). Every field holding a CR,
an LF, a comma or a quote is quoted (:mod:`riskengine._csv`), so no reader
splits a record. Text cells that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return, checked on
each line of a cell) are prefixed with a single quote, as OWASP recommends
against CSV injection: ``=HYPERLINK(...)`` is written ``'=HYPERLINK(...)``.
Numbers are never changed. Control and bidi-override characters become
U+FFFD in CSV files and ``\\uXXXX`` escapes in JSON files.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd

from riskengine._csv import csv_text
from riskengine._text import escape_controls, replace_controls
from riskengine.formatting import json_ready, neutralise_csv, round_frame

__all__ = ["sha256_file", "write_csv", "write_json", "write_text"]


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as CSV: rounded floats, neutralised formula-like text, no index."""
    text = csv_text(neutralise_csv(round_frame(frame)), replace_controls)
    return write_text(text, path)


def write_json(document: Any, path: Path) -> Path:
    """Write a JSON document: 2-space indent, UTF-8, keys in the given order, no NaN.

    Control and bidi-override characters are written as ``\\uXXXX`` escapes
    (JSON reads them back unchanged; a terminal showing the file is not affected).
    """
    text = json.dumps(json_ready(document), indent=2, ensure_ascii=False, allow_nan=False)
    return write_text(escape_controls(text) + "\n", path)


def write_text(text: str, path: Path) -> Path:
    """Write UTF-8 text with LF line ends."""
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return path


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()
