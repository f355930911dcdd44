"""Options and helpers shared by the commands."""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from riskengine._csv import csv_text
from riskengine._resources import shipped
from riskengine._text import number_text
from riskengine.config import Config, load_config
from riskengine.data import Dataset, load_dataset
from riskengine.data.checks import check_against_config
from riskengine.exceptions import ConfigError
from riskengine.report._format import neutralise_csv

__all__ = ["add_common", "add_format", "emit_json", "emit_table", "load_inputs"]

DEFAULT_CONFIG = Path("config/default.yaml")


def add_common(parser: argparse.ArgumentParser) -> None:
    """--config, --data, --set and --debug."""
    parser.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        help="YAML configuration (default: config/default.yaml if present)",
    )
    parser.add_argument(
        "--data",
        metavar="DIR",
        type=Path,
        help="folder of CSV tables or an .xlsx workbook (overrides data.dir)",
    )
    parser.add_argument(
        "--set",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        dest="overrides",
        help="override a configuration key (repeatable)",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")


def add_format(parser: argparse.ArgumentParser) -> None:
    """--format table|json|csv."""
    parser.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="output format on stdout (default: table)",
    )


def resolve_config_path(path: Path | None) -> Path | None:
    """The --config file, else ./config/default.yaml if present, else the shipped default."""
    if path is not None:
        return path
    if DEFAULT_CONFIG.is_file():
        return DEFAULT_CONFIG
    fallback = shipped("config") / "default.yaml"
    return fallback if fallback.is_file() else None


def load_config_args(path: Path | None, overrides: list[str]) -> tuple[Config, Path | None]:
    """The configuration of --config (or its default) and --set, and the file used.

    When the shipped default is used from outside a project folder, reports go
    to ./reports rather than next to the installed package.
    """
    resolved = resolve_config_path(path)
    if path is None and resolved is not None and resolved != DEFAULT_CONFIG:
        overrides = [f"report.out_dir={Path.cwd() / 'reports'}", *overrides]
    return load_config(resolved, overrides), resolved


def load_inputs(args: argparse.Namespace) -> tuple[Config, Dataset]:
    """Configuration and dataset from the common options, checked against each other."""
    config, path = load_config_args(args.config, args.overrides)
    data_dir = args.data if args.data is not None else config.data.dir
    dataset = load_dataset(data_dir)
    check_against_config(dataset, config, str(path) if path else "configuration")
    return config, dataset


def emit_json(document: Any) -> None:
    """Print one JSON document on stdout (NaN written as null)."""
    print(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False, default=str))


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a DataFrame as JSON-ready dicts (NaN -> None, numpy scalars -> Python)."""
    clean = frame.astype(object).where(frame.notna(), None)
    return json.loads(clean.to_json(orient="records", date_format="iso", double_precision=10))


def emit_table(frame: pd.DataFrame, fmt: str, floatfmt: str = "{:,.2f}") -> None:
    """Print a DataFrame as an aligned text table or CSV."""
    if fmt == "csv":
        sys.stdout.write(csv_text(neutralise_csv(frame)))
        return
    if frame.empty:
        print("(no rows)")
        return
    shown = frame.copy()
    for col in shown.columns:
        if pd.api.types.is_float_dtype(shown[col]):
            shown[col] = shown[col].map(lambda v: "" if pd.isna(v) else floatfmt.format(v))
    print(shown.to_string(index=False))


def fail(message: str) -> ConfigError:
    """A bad-argument error (exit 2)."""
    return ConfigError(message)


def count(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high`` (the API's limits)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"expected a whole number from {low} to {high:,}, got {text!r}"
            )
        return value

    return parse


def finite(
    low: float = -math.inf, high: float = math.inf, *, open_high: bool = False
) -> Callable[[str], float]:
    """An argparse type: a finite number, from ``low`` to ``high`` (below it if ``open_high``)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        above = value >= high if open_high else value > high
        if not math.isfinite(value) or value < low or above:
            raise argparse.ArgumentTypeError(
                f"expected {_range(low, high, open_high)}, got {text!r}"
            )
        return value

    return parse


def _range(low: float, high: float, open_high: bool) -> str:
    parts = ["a finite number"]
    if math.isfinite(low):
        parts.append(f"from {number_text(low)}")
    if math.isfinite(high):
        parts.append(f"below {number_text(high)}" if open_high else f"at most {number_text(high)}")
    return ", ".join(parts)


def check_output_file(path: str | None, option: str) -> None:
    """Refuse, before any computation, an output file whose folder is missing or is a file."""
    if path is None:
        return
    target = Path(path)
    if target.is_dir():
        raise fail(f"{option} {path}: is a folder; give a file name")
    if not target.parent.is_dir():
        raise fail(
            f"{option} {path}: folder {target.parent} does not exist; create it or give "
            "another path"
        )
