"""Reference pages generated from the code, so they cannot drift.

``python -m riskengine.docs`` rewrites ``docs/configuration.md`` and
``docs/data-dictionary.md`` (a test fails when either is stale) and redraws
``docs/calibration-reliability.png`` from the shipped data.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from riskengine.config.schema import Config
from riskengine.data.schema import RANGE_SUFFIXES, TABLES

__all__ = [
    "configuration_reference",
    "data_dictionary",
    "write_calibration_figure",
    "write_docs",
]


def _default(value: Any) -> str:
    if isinstance(value, BaseModel):
        return ""
    if hasattr(value, "value"):
        value = value.value
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: ..." for k in value) + "}" if value else "{}"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(map(str, value)) + "]"
    return "" if value is None else str(value)


def _rows(model: type[BaseModel], prefix: str) -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            rows += _rows(annotation, key + ".")
            continue
        default = field.get_default(call_default_factory=True)
        description = (field.description or "").replace("|", "\\|")
        rows.append(f"| `{key}` | {description} | `{_default(default)}` |")
    return rows


def configuration_reference() -> str:
    """Markdown table of every configuration key, its meaning and its default."""
    lines = [
        "# Configuration reference",
        "",
        "Generated from `riskengine/config/schema.py` by `python -m riskengine.docs`; do not",
        "edit by hand. Layering: built-in defaults, then the YAML file (`--config`), then each",
        "`--set dotted.key=value`. `config/default.yaml` shows every key with a comment.",
        "",
        "| key | meaning | default |",
        "| --- | --- | --- |",
        *_rows(Config, ""),
        "",
        "`buyers` maps a buyer name (EU, JP, ...) to `home` and `partners`; each",
        "`scenarios` item has `name`, `description`, `probability` and lists `capacity`,",
        "`price`, `demand` of multipliers (`factor` with selectors `country`, `supplier`,",
        "`commodity`, `stage`, `status`, `buyer`).",
        "",
    ]
    return "\n".join(lines)


def data_dictionary() -> str:
    """Markdown description of every input table and column (from the table schemas)."""
    lines = [
        "# Data dictionary",
        "",
        "Generated from `riskengine/data/schema.py` by `python -m riskengine.docs`.",
        "Quantities are tonnes of oxide equivalent a year; prices USD per kg of oxide",
        "equivalent. Extra columns are kept and passed through.",
        "",
        "**Ranges of estimates.** Any numeric column `<column>` may have companions",
        f"`<column>{RANGE_SUFFIXES[0]}` and `<column>{RANGE_SUFFIXES[1]}` holding the low and high ends",
        "of an estimate (e.g. `tonnes_low`, `tonnes_high`). They are optional, parsed with",
        "the column's bounds, must bracket the central value, and are kept as columns of",
        "the loaded table for scenario generators to draw from.",
        "",
        "**Vintages.** Year columns (`year`, `price_year`, `governance_year`, `data_year`)",
        "and a free-text `vintage` column name each figure's data year and source edition;",
        "a `basis` starting `estimate` marks an estimated row. `riskengine validate` prints",
        "the range of data years and the share of estimated rows per table.",
        "",
    ]
    for spec in TABLES:
        key = ", ".join(spec.key)
        optional = " Optional: a data folder may leave this table out." if spec.optional else ""
        lines += [
            f"## `{spec.file}`: {spec.meaning}",
            "",
            f"Unique key: ({key}).{optional}",
            "",
            "| column | required | unit | valid values | meaning |",
            "| --- | --- | --- | --- | --- |",
        ]
        for col in spec.columns:
            valid = ", ".join(col.choices) if col.choices else ""
            if col.low is not None or col.high is not None:
                low = "" if col.low is None else f"{'>' if col.positive else '>='} {col.low:g}"
                high = "" if col.high is None else f"<= {col.high:g}"
                valid = " and ".join(v for v in (low, high) if v)
            if col.kind in ("country", "commodity"):
                valid = f"a {col.kind} of {col.kind.replace('y', 'ie')}s.csv"
            required = "yes" if col.required else "optional"
            lines.append(f"| `{col.name}` | {required} | {col.unit} | {valid} | {col.meaning} |")
        lines.append("")
    return "\n".join(lines)


#: The reliability figure of the disruption-probability calibration (docs/methodology.md).
CALIBRATION_FIGURE = "calibration-reliability.png"


def write_calibration_figure(folder: Path) -> Path:
    """Draw the calibration reliability figure from the shipped data and default settings."""
    from riskengine.data.dataset import load_dataset
    from riskengine.plotting import plot_calibration

    path = folder / CALIBRATION_FIGURE
    plot_calibration(load_dataset()).savefig(path, dpi=150, metadata={"Software": None})
    return path


def write_docs(folder: Path) -> None:
    """Write both generated pages, and the calibration figure, into ``folder``."""
    (folder / "configuration.md").write_text(configuration_reference(), encoding="utf-8")
    (folder / "data-dictionary.md").write_text(data_dictionary(), encoding="utf-8")
    write_calibration_figure(folder)


if __name__ == "__main__":
    write_docs(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs"))
