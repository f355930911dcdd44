"""``riskengine validate``: check the configuration and data, print a summary."""

from __future__ import annotations

import argparse

from riskengine.cli._common import (
    emit_json,
    emit_table,
    frame_records,
    load_inputs,
)


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
                "capacity": frame_records(dataset.capacity_by_commodity()),
            }
        )
    elif args.format == "csv":
        emit_table(dataset.capacity_by_commodity(), "csv")
    else:
        print(f"Configuration '{config.name}' and data are valid.\n")
        print(dataset.summary())
    return 0
