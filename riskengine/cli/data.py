"""``riskengine data import KIND FILE``: refresh the tables from a source's own published file.

Reads the file (no network), writes the updated tables to a new folder
(default ``./imported/<kind>-<time>``, or ``--out``), or with ``--in-place``
replaces the files of the ``--data`` folder atomically, keeping backups.
``--dry-run`` writes nothing. Prints what changed, by how much, and which
supply-risk results move.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from riskengine.cli._common import (
    emit_json,
    emit_table,
    fail,
    frame_records,
    load_config_args,
)
from riskengine.config.schema import BuyerConfig
from riskengine.data import Dataset, load_dataset
from riskengine.data.importers import (
    ImportResult,
    import_comtrade,
    import_jrc,
    import_usgs,
    import_wgi,
)
from riskengine.data.importers.update import write_copy, write_in_place
from riskengine.scoring import supply_risk


def _import(args: argparse.Namespace, data_dir: Path) -> ImportResult:
    if args.kind == "wgi":
        return import_wgi(data_dir, args.file, args.year)
    if args.kind == "usgs":
        return import_usgs(data_dir, args.file, args.year)
    if args.kind == "jrc":
        return import_jrc(data_dir, args.file, args.table, args.buyer, args.year or 2020)
    if not args.commodity:
        raise fail("data import comtrade: give --commodity (e.g. --commodity dysprosium)")
    hs = tuple(code.strip() for code in args.hs.split(",") if code.strip())
    return import_comtrade(data_dir, args.file, args.buyer, args.commodity, args.stage, hs)


def _impact(before: Dataset, after: Dataset, buyers: Mapping[str, BuyerConfig]) -> pd.DataFrame:
    """Supply risk per buyer, commodity and stage before and after, where it moves."""
    keys = ["buyer", "commodity", "stage"]
    old = supply_risk(before, buyers).set_index(keys)["supply_risk"]
    new = supply_risk(after, buyers).set_index(keys)["supply_risk"]
    table = pd.DataFrame({"sr_before": old, "sr_after": new}).reset_index()
    table["change"] = table["sr_after"] - table["sr_before"]
    return table[table["change"].abs() > 0.0005].reset_index(drop=True)


def run(args: argparse.Namespace) -> int:
    """Import, validate the result, write it as asked, and print the diff and its impact."""
    config, _ = load_config_args(args.config, args.overrides)
    source = args.data if args.data is not None else config.data.dir
    if source is None:
        raise fail("no --data and no data.dir in the configuration: name the CSV folder to update")
    data_dir = Path(source)
    if not data_dir.is_dir():
        raise fail(f"--data {data_dir}: not a folder of CSV tables; imports update a CSV folder")
    before = load_dataset(data_dir)
    result = _import(args, data_dir)
    with tempfile.TemporaryDirectory() as tmp:
        staged = write_copy(data_dir, result.tables, Path(tmp) / "data")
        impact = _impact(before, load_dataset(staged), config.buyers)
        written = _write(args, data_dir, result, staged)
    _print(args, result, impact, written)
    return 0


def _write(args: argparse.Namespace, data_dir: Path, result: ImportResult, staged: Path) -> str:
    if args.dry_run or not result.tables:
        return "nothing written (dry run)" if args.dry_run else "nothing to write"
    if args.in_place:
        backups = write_in_place(data_dir, result.tables)
        kept = ", ".join(b.name for b in backups)
        return f"updated {data_dir} in place; old files kept as {kept}"
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = args.out if args.out is not None else Path("imported") / f"{args.kind}-{stamp}"
    write_copy(staged, {}, out)
    return f"wrote the updated data to {out}"


def _print(
    args: argparse.Namespace, result: ImportResult, impact: pd.DataFrame, written: str
) -> None:
    if args.format == "json":
        emit_json(
            {
                "kind": result.kind,
                "source": str(result.source),
                "written": written,
                "changes": frame_records(result.changes),
                "supply_risk": frame_records(impact),
                "notes": list(result.notes),
            }
        )
        return
    tables = ", ".join(f"{name}.csv" for name in result.tables) or "no table"
    print(f"Imported {result.kind} from {result.source} into {tables}: {written}.\n")
    print(f"Changes ({len(result.changes)}):")
    emit_table(result.changes, "table", "{:+,.4g}")
    print("\nSupply risk that moves (JRC SR, before -> after):")
    emit_table(impact, "table", "{:,.3f}")
    for note in result.notes:
        print(f"\nNote: {note}")
