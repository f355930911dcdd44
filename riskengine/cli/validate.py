"""``riskengine validate``: check the configuration and data, print a summary."""

from __future__ import annotations

import argparse

import pandas as pd

from riskengine.cli._common import (
    emit_json,
    emit_table,
    frame_records,
    load_inputs,
)
from riskengine.data.vintage import vintage_range, vintage_table


def run(args: argparse.Namespace) -> int:
    """Validate and print the summary."""
    config, dataset = load_inputs(args)
    if args.format == "json":
        emit_json(
            {
                "status": "ok",
                "config": config.name,
                "data": dataset.source,
                "rows": {
                    name: len(dataset.table(name))
                    for name in (
                        "commodities",
                        "countries",
                        "production",
                        "export_controls",
                        "suppliers",
                        "demand",
                    )
                },
                "vintage": dataset.vintage,
                "data_years": vintage_range(dataset)[0],
                "estimated_share": vintage_range(dataset)[1],
                "tables": frame_records(vintage_table(dataset)),
                "capacity": frame_records(dataset.capacity_by_commodity()),
            }
        )
    elif args.format == "csv":
        emit_table(dataset.capacity_by_commodity(), "csv")
    else:
        print(f"Configuration '{config.name}' and data are valid.\n")
        print(dataset.summary())
        span, share = vintage_range(dataset)
        print(f"\n  data years (all tables): {span}; estimated figures: {share:.0%} of rows\n")
        shown = vintage_table(dataset)
        shown["estimated_rows"] = shown["estimated_rows"].map(
            lambda v: "" if pd.isna(v) else f"{v:.0f}"
        )
        shown["estimated_share"] = shown["estimated_share"].map(
            lambda v: "" if pd.isna(v) else f"{v:.0%}"
        )
        emit_table(shown, "table")
    return 0
