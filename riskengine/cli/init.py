"""``riskengine init DIR``: a working folder for an analyst, ready to edit."""

from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path

from riskengine._resources import shipped
from riskengine.cli._common import fail
from riskengine.data.dataset import shipped_data_dir

#: The workbook ``init --excel`` writes, next to config.yaml.
WORKBOOK = "data.xlsx"


def config_name(target: Path) -> str:
    """The configuration's name: the folder's name (``my-analysis`` when it has none)."""
    name = target.resolve().name.strip()
    return name or "my-analysis"


def _yaml_text(value: str) -> str:
    """``value`` as a YAML scalar: plain when safe, else double-quoted."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value) and value.lower() not in (
        "yes",
        "no",
        "on",
        "off",
        "true",
        "false",
        "null",
        "y",
        "n",
    ):
        return value
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def _default_config_text(name: str, data: str) -> str:
    text = (shipped("config") / "default.yaml").read_text(encoding="utf-8")
    text = text.replace("name: default", f"name: {_yaml_text(name)}", 1)
    text = text.replace("  dir: ../seeds", f"  dir: {data}", 1)
    return text.replace("  out_dir: ../reports", "  out_dir: reports", 1)


def scaffold(target: Path, excel: bool = False) -> Path:
    """Create the working folder; refuse to touch a non-empty one.

    With ``excel`` the shipped tables go into one workbook (``data.xlsx``, a
    template with drop-down lists and a README sheet) instead of ``data/``.
    """
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise fail(f"{target}: already exists and is not an empty folder; choose a new folder")
    target.mkdir(parents=True, exist_ok=True)
    if excel:
        from riskengine.data.template import write_template

        write_template(target / WORKBOOK)
        shutil.copyfile(shipped_data_dir() / "SOURCES.md", target / "SOURCES.md")
    else:
        data = target / "data"
        data.mkdir()
        for source in sorted(shipped_data_dir().iterdir()):
            if source.suffix in (".csv", ".md"):
                shutil.copyfile(source, data / source.name)
    (target / "reports").mkdir(exist_ok=True)
    text = _default_config_text(config_name(target), WORKBOOK if excel else "data")
    (target / "config.yaml").write_text(text, encoding="utf-8")
    return target


def run(args: argparse.Namespace) -> int:
    """Scaffold and print what to try next."""
    try:
        target = scaffold(args.dir, args.excel)
    except OSError as exc:
        raise fail(
            f"{args.dir}: cannot create the working folder there ({exc.strerror or exc}); "
            "choose a folder you can write to"
        ) from None
    data = (
        f"{WORKBOOK} (the shipped tables, one sheet each)"
        if args.excel
        else ("data/ (the shipped tables)")
    )
    print(
        f"Created {target}/ with config.yaml (name {config_name(target)}), {data} and reports/.\n"
    )
    print("Next, try:")
    print(f"  cd {target}")
    print("  riskengine validate            # check the tables and ./config.yaml")
    print("  riskengine score --top 3       # the riskiest offers per commodity")
    print("  riskengine report              # the full report under reports/")
    if args.excel:
        print(
            f"\nIn {WORKBOOK}, delete a sheet to use the shipped table instead; "
            "its README sheet lists every column."
        )
    return 0
