"""Options and helpers shared by the commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from riskengine import formatting, pipeline
from riskengine._csv import csv_text
from riskengine._resources import shipped
from riskengine.cli._parsers import add_common, add_format
from riskengine.config import Config, load_config
from riskengine.data import Dataset
from riskengine.data.checked import sealed
from riskengine.exceptions import ConfigError
from riskengine.formatting import neutralise_csv, round_frame

__all__ = ["add_common", "add_format", "emit_json", "emit_table", "load_inputs"]

DEFAULT_CONFIG = Path("config/default.yaml")
#: The configuration ``riskengine init`` writes, found in the current folder.
INIT_CONFIG = Path("config.yaml")


def resolve_config_path(path: Path | None) -> Path | None:
    """The --config file, else ./config.yaml (an init folder), else ./config/default.yaml
    (a checkout), else the shipped default."""
    if path is not None:
        return path
    for local in (INIT_CONFIG, DEFAULT_CONFIG):
        if local.is_file():
            return local
    fallback = shipped("config") / "default.yaml"
    return fallback if fallback.is_file() else None


def load_config_args(path: Path | None, overrides: list[str]) -> tuple[Config, Path | None]:
    """The configuration of --config (or its default) and --set, and the file used.

    Without --config, a note on stderr names the file used when it is ./config.yaml
    or the shipped default. When the shipped default is used from outside a
    project folder, reports go to ./reports rather than next to the installed package.
    """
    resolved = resolve_config_path(path)
    if path is None and resolved is not None and resolved != DEFAULT_CONFIG:
        shipped_default = resolved != INIT_CONFIG
        where = "the shipped default" if shipped_default else "./config.yaml"
        print(
            f"note: configuration {where} ({resolved}); give --config FILE to use another",
            file=sys.stderr,
        )
        if shipped_default:
            overrides = [f"report.out_dir={Path.cwd() / 'reports'}", *overrides]
    return load_config(resolved, overrides), resolved


def load_inputs(args: argparse.Namespace) -> tuple[Config, Dataset]:
    """Configuration and dataset from the common options, checked against each other."""
    config, path = load_config_args(args.config, args.overrides)
    inputs = pipeline.load_inputs(config, args.data, config_path=path)
    for note in inputs.notes:  # tables taken from the shipped reference tables
        print(f"note: {note}", file=sys.stderr)
    # the command's own tables: no user code runs before it exits, so they are not re-hashed
    return inputs.config, sealed(inputs.dataset)


def emit_json(document: Any) -> None:
    """Print one JSON document on stdout (NaN written as null)."""
    print(formatting.json_text(document))


frame_records = formatting.frame_records  # the one table-to-JSON converter


def emit_table(frame: pd.DataFrame, fmt: str, floatfmt: str = "{:,.2f}") -> None:
    """Print a DataFrame as an aligned text table or CSV."""
    if fmt == "csv":  # rounded as the report's CSV files are (no 161.00000000000003)
        sys.stdout.write(csv_text(neutralise_csv(round_frame(frame))))
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
