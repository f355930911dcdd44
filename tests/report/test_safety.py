"""Hostile supplier names are escaped in HTML and neutralised in CSV and xlsx; no network refs."""

from __future__ import annotations

import contextlib
import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from riskengine import load_dataset
from riskengine.cli import main
from riskengine.data import write_dataset
from tests.conftest import DEFAULT_CONFIG
from tests.report.conftest import FORMULA_NAMES, HOSTILE_NAMES

_EXTERNAL = [
    re.compile(
        r"""\b(?:src|href|xlink:href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", re.I
    ),
    re.compile(r"<script\b", re.I),
    re.compile(r"@import", re.I),
    re.compile(r"<link\b", re.I),
    re.compile(r"url\(\s*['\"]?\s*(?:https?:)?//", re.I),
    re.compile(r"<iframe\b|<object\b|<embed\b", re.I),
]


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A report (through the CLI) on a copy of the seeds whose supplier names are hostile."""
    root = tmp_path_factory.mktemp("hostile")
    seeds = load_dataset()
    suppliers = seeds.suppliers.copy()
    suppliers["name"] = [HOSTILE_NAMES[i % len(HOSTILE_NAMES)] for i in range(len(suppliers))]
    data = write_dataset(seeds.with_tables(suppliers=suppliers), root / "data")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(
            [
                "report",
                "--config",
                str(DEFAULT_CONFIG),
                "--data",
                str(data),
                "--out",
                str(root / "out"),
                "--set",
                "report.frontier_points=2",
            ]
        )
    assert code == 0
    folder = Path(out.getvalue().strip())
    assert folder.parent == root / "out" and (folder / "report.html").is_file()
    return folder


def test_html_escapes_hostile_names(hostile_report):
    text = (hostile_report / "report.html").read_text(encoding="utf-8")
    assert "<script" not in text.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in text
    for name in ("日本語", "Ελληνικά", "@SUM(A1)"):
        assert name in text


@pytest.mark.parametrize(
    "name",
    ["report.html", "figures/mix.svg", "figures/risk_contributions.svg", "figures/frontier.svg"],
)
def test_no_external_references_or_scripts(hostile_report, name):
    text = (hostile_report / name).read_text(encoding="utf-8")
    if name.endswith(".svg"):
        text = re.sub(r"<!DOCTYPE.*?>|<metadata>.*?</metadata>", "", text, flags=re.S)
    for pattern in _EXTERNAL:
        assert not pattern.search(text), f"{name}: {pattern.pattern}"


def test_csv_neutralises_formula_like_names(hostile_report):
    with (hostile_report / "tables" / "scores.csv").open(encoding="utf-8", newline="") as f:
        names = {row["name"] for row in csv.DictReader(f)}
    for name in FORMULA_NAMES:
        assert f"'{name}" in names and name not in names
    assert {"<script>alert(1)</script>", "日本語", "Ελληνικά"} <= names


def test_csv_numbers_stay_numbers(hostile_report):
    with (hostile_report / "tables" / "shadow_prices.csv").open(encoding="utf-8") as f:
        prices = [row["shadow_price_usd_per_kg"] for row in csv.DictReader(f)]
    values = [float(p) for p in prices]  # parse as numbers: not neutralised like text
    assert values and sum(v < 0 for v in values) > len(values) / 2  # savings are negative


def test_xlsx_holds_no_formula_and_keeps_text(hostile_report):
    book = load_workbook(hostile_report / "tables.xlsx")
    seen: dict[str, str] = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate}: {cell.value}"
                if isinstance(cell.value, str) and cell.value in HOSTILE_NAMES:
                    seen[cell.value] = cell.data_type
    assert set(seen) == set(HOSTILE_NAMES)
    assert set(seen.values()) == {"s"}
    names = [c.value for c in book["scores"]["D"][1:]]
    assert book["scores"]["D1"].value == "name"
    assert any(isinstance(v, str) and v.startswith('=HYPERLINK("http://x","y")') for v in names)


def test_xlsx_is_formatted(hostile_report):
    sheet = load_workbook(hostile_report / "tables.xlsx")["plan_metrics"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b
    header = [c.value for c in sheet[1]]
    # readable headers (the CSV keeps demand_t, china_share), formats from the unit
    assert sheet.cell(row=2, column=header.index("demand (t)") + 1).number_format == "#,##0.0"
    assert sheet.cell(row=2, column=header.index("china share") + 1).number_format == "0.0%"
    assert "purchase cost (USD)" in header and "average price (USD/kg)" in header
    assert sheet.column_dimensions["A"].width >= 6
