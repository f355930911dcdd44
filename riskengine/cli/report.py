"""``riskengine report``: write a report folder per configuration (and an index for several)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from riskengine.cli._common import fail, load_config_args
from riskengine.report import config_paths, run_batch, run_report
from riskengine.report.staging import check_out_dir


def _single(args: argparse.Namespace, path: Path | None) -> int:
    config, path = load_config_args(path, args.overrides)
    folder = run_report(config, args.out, path, dataset=args.data, log=sys.stderr)
    print(folder)
    return 0


def run(args: argparse.Namespace) -> int:
    """Write the report(s); print each folder written (and the index) on stdout."""
    if args.out is not None:
        check_out_dir(args.out)  # before any configuration is loaded or computed
    batch = len(args.configs) > 1 or any(p.is_dir() for p in args.configs)
    if not batch:
        return _single(args, args.configs[0] if args.configs else None)
    files = config_paths(args.configs)
    if not files:
        raise fail(
            "--config "
            + ", ".join(map(str, args.configs))
            + ": no *.yaml or *.yml configuration found; give YAML files or a folder "
            "holding them"
        )
    result = run_batch(files, args.overrides, args.data, args.out, sys.stderr, args.debug)
    for item in result.runs:
        if item.ok:
            print(item.folder)
        else:
            print(f"error: {item.config}: {item.error}", file=sys.stderr)
    print(result.index / "index.html")
    return result.exit_code
