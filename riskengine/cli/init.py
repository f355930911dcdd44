"""``riskengine init DIR``: a working folder for an analyst, ready to edit."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from riskengine._resources import shipped
from riskengine.cli._common import fail
from riskengine.data.dataset import shipped_data_dir


def _default_config_text() -> str:
    text = (shipped("config") / "default.yaml").read_text(encoding="utf-8")
    text = text.replace("name: default", "name: my-analysis", 1)
    text = text.replace("  dir: ../seeds", "  dir: data", 1)
    return text.replace("  out_dir: ../reports", "  out_dir: reports", 1)


def scaffold(target: Path) -> Path:
    """Create the working folder; refuse to touch a non-empty one."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise fail(f"{target}: already exists and is not an empty folder; choose a new folder")
    data = target / "data"
    data.mkdir(parents=True, exist_ok=True)
    for source in sorted(shipped_data_dir().iterdir()):
        if source.suffix in (".csv", ".md"):
            shutil.copyfile(source, data / source.name)
    (target / "reports").mkdir(exist_ok=True)
    (target / "config.yaml").write_text(_default_config_text(), encoding="utf-8")
    return target


def run(args: argparse.Namespace) -> int:
    """Scaffold and print what to try next."""
    try:
        target = scaffold(args.dir)
    except OSError as exc:
        raise fail(
            f"{args.dir}: cannot create the working folder there ({exc.strerror or exc}); "
            "choose a folder you can write to"
        ) from None
    config = target / "config.yaml"
    print(f"Created {target}/ with config.yaml, data/ (the shipped tables) and reports/.\n")
    print("Next, try:")
    print(f"  riskengine validate --config {config}      # check the tables and the config")
    print(f"  riskengine score --config {config} --top 3  # the riskiest offers per commodity")
    print(
        f"  riskengine report --config {config}        # the full report under "
        f"{target / 'reports'}/"
    )
    return 0
