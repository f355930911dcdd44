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


#: How the version-2 columns and tables fit together (contract section 2).
_VERSION_2_NOTES = (
    "**Version-2 columns and tables.** All are optional; the version-1 model reads none.",
    "",
    "- *Timing* (`suppliers.csv`): an offer delivers nothing before `available_from`, then",
    "  ramps linearly to `capacity_t` over `ramp_years`; `commissioning_probability` is the",
    "  chance it delivers at all.",
    "- *Routes* (`suppliers.csv` `route`): `stage:CC` pairs joined by `;` in supply-chain",
    "  order, e.g. `mining:BR;separation:CN`; stages are `mining` (or `recycling` for recycled",
    "  feed), `separation` (`refining` is read as `separation`), `metal`, `magnet`. The",
    "  offer's own stage (from `stage` and `product`) is in `country` unless the route names",
    "  it; stages the route leaves out are unknown. `riskengine.data.routes.route_stages`",
    "  gives one row per offer and stage.",
    "- *Approval rates* (`export_controls.csv`): for a buyer, the rows in force covering the",
    "  offer whose `destination` is empty or the buyer's home country or bloc; a row naming",
    "  the destination replaces the same measure's (same `since`) row without one, and across",
    "  measures the lowest rate applies.",
    "- *Products* (`bom.csv`, `demand.csv`/`demand_outlook.csv` `product` rows): a demand",
    "  row names a commodity (`demand_t`, oxide tonnes) or a base product (`product_t`,",
    "  tonnes of product). A base product and its variants (`variant_of`) form a family whose",
    "  volume is split into variant shares (2025: `base_share`); a share may grow by at most",
    "  `max_switch_share_per_year` a year and costs `premium_usd_per_t` per tonne. Element",
    "  demand = product tonnes x share x `kg_per_t` / 1000 (`riskengine.data.demand`).",
    "- *Years* (`demand.csv` `year`, `demand_outlook.csv`): a dated row is the demand of",
    "  that year and replaces the undated row of the same commodity or product; the outlook,",
    "  when present, replaces `demand.csv` for the years it covers",
    "  (`riskengine.data.demand.demand_by_year`).",
    "- *Export channels* (`export_flows.csv`): an exporter's flow to a destination by form",
    "  (`oxide`, or `magnet` = the element inside magnets); `licensed=true` rows are observed",
    "  under licensing, `licensed=false` rows are the pre-licensing volume that an",
    "  `approval_rate` scales; `price_usd_per_kg` is what the destination pays per kg.",
    "- *Contracts*: `minimum` rows are lower bounds on the buyer's purchases of the offer,",
    "  `reserved` rows hold capacity the buyer may leave; contracts on one offer may not",
    "  exceed its `capacity_t`. *Stocks*: `opening_t <= max_t`.",
    "",
)


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
        *_VERSION_2_NOTES,
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
